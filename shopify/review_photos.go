package shopify

import (
	"context"

	"github.com/boomerang-app/boomerang/models/reviews"
)

// UploadPhotos is reviews.PhotoFiles' upload: the photos as image files.
func (a *Admin) UploadPhotos(ctx context.Context, shop string, files []reviews.PhotoFile) ([]string, error) {
	imgs := make([]ImageFile, len(files))
	for i, f := range files {
		imgs[i] = ImageFile(f)
	}
	return a.UploadImages(ctx, shop, imgs)
}

// PhotoStates is reviews.PhotoFiles' poll: FileStates in the domain's terms.
func (a *Admin) PhotoStates(ctx context.Context, shop string, ids []string) ([]reviews.PhotoState, error) {
	got, err := a.FileStates(ctx, shop, ids)
	if err != nil {
		return nil, err
	}
	out := make([]reviews.PhotoState, len(got))
	for i, s := range got {
		out[i] = reviews.PhotoState{Status: s.Status, URL: s.URL, Width: s.Width, Height: s.Height}
	}
	return out, nil
}
