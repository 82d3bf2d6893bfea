package reviews

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Review photos to Shopify Files (issue 13): pending photos are uploaded, uploaded ones are
// polled until Shopify has processed them, and the photos of deleted reviews or redacted
// customers are deleted from Files, then here. A throttled or failed call stops the run for the
// task's retry; nothing is marked before Shopify has it.

const photoBatch = 10

// PhotoFiles keeps review photos in Shopify Files.
type PhotoFiles interface {
	// UploadPhotos stores the files and returns their ids, in order.
	UploadPhotos(ctx context.Context, shop string, files []PhotoFile) (ids []string, err error)
	// PhotoStates reads the files' processing state, in order.
	PhotoStates(ctx context.Context, shop string, ids []string) ([]PhotoState, error)
	FileDelete(ctx context.Context, shop string, ids []string) error
}

// PhotoFile is one photo to upload.
type PhotoFile struct {
	Filename string
	MimeType string
	Data     []byte
	Alt      string
}

// PhotoState is a file's processing state (UPLOADED, PROCESSING, READY or FAILED) and, once
// READY, its CDN image.
type PhotoState struct {
	Status        string
	URL           string
	Width, Height int
}

// PhotoRun is what one SyncPhotos did.
type PhotoRun struct {
	// Again: Shopify is still processing photos, more work waits, or another run held the
	// shop's lock; look again shortly.
	Again bool
	// NotDeleted is Shopify's reason when it refused to delete photos from Files (the rows are
	// gone; the merchant removes the files there).
	NotDeleted string
}

// SyncPhotos does one round of a shop's photo work under the shop's photo lock.
func SyncPhotos(ctx context.Context, db *gorm.DB, files PhotoFiles, shopID int64) (PhotoRun, error) {
	var run PhotoRun
	sh, err := models.GetShop(ctx, db, shopID)
	if err != nil || sh.Status != models.ShopInstalled {
		return run, err
	}
	var work PhotoWork
	locked, err := WithPhotoLock(ctx, db, shopID, func() error {
		if work, err = PendingPhotoWork(ctx, db, shopID, photoBatch); err != nil {
			return err
		}
		run.NotDeleted, err = photoStep(ctx, db, files, sh, work)
		return err
	})
	switch {
	case !locked && err == nil:
		run.Again = true
		return run, nil
	case errors.Is(err, models.ErrNoAdminToken):
		return run, nil
	}
	run.Again = len(work.Upload)+len(work.Process)+len(work.Delete) > 0
	return run, err
}

func photoStep(ctx context.Context, db *gorm.DB, files PhotoFiles, sh *models.Shop, work PhotoWork) (notDeleted string, err error) {
	if len(work.Upload) > 0 {
		if err := uploadPhotos(ctx, db, files, sh, work.Upload); err != nil {
			return "", err
		}
	}
	if len(work.Process) > 0 {
		if err := checkPhotos(ctx, db, files, sh, work.Process); err != nil {
			return "", err
		}
	}
	if len(work.Delete) > 0 {
		return deletePhotos(ctx, db, files, sh, work.Delete)
	}
	return "", nil
}

func uploadPhotos(ctx context.Context, db *gorm.DB, files PhotoFiles, sh *models.Shop, photos []ReviewPhoto) error {
	fs := make([]PhotoFile, len(photos))
	for i, p := range photos {
		fs[i] = PhotoFile{Filename: fmt.Sprintf("review-%d-%d.jpg", *p.ReviewID, p.Position), MimeType: "image/jpeg",
			Data: p.Data, Alt: "Customer photo"}
	}
	ids, err := files.UploadPhotos(ctx, sh.Domain, fs)
	if reason, refused := models.Refused(err); refused {
		for _, p := range photos {
			if err := MarkPhotoFailed(ctx, db, sh.ID, p.ID, reason); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("upload review photos of %s: %w", sh.Domain, err)
	}
	for i, p := range photos {
		if err := MarkPhotoUploaded(ctx, db, sh.ID, p.ID, ids[i]); err != nil {
			return err
		}
	}
	return nil
}

func checkPhotos(ctx context.Context, db *gorm.DB, files PhotoFiles, sh *models.Shop, photos []ReviewPhoto) error {
	ids := make([]string, len(photos))
	for i, p := range photos {
		ids[i] = p.FileID
	}
	states, err := files.PhotoStates(ctx, sh.Domain, ids)
	if err != nil {
		return fmt.Errorf("review photo states of %s: %w", sh.Domain, err)
	}
	for i, s := range states {
		p := photos[i]
		switch s.Status {
		case "READY":
			err = MarkPhotoReady(ctx, db, sh.ID, p.ID, s.URL, s.Width, s.Height)
		case "FAILED":
			err = MarkPhotoFailed(ctx, db, sh.ID, p.ID, "Shopify could not process the image")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func deletePhotos(ctx context.Context, db *gorm.DB, files PhotoFiles, sh *models.Shop, photos []ReviewPhoto) (notDeleted string, err error) {
	var ids []string
	rows := make([]int64, len(photos))
	for i, p := range photos {
		rows[i] = p.ID
		if p.FileID != "" {
			ids = append(ids, p.FileID)
		}
	}
	err = files.FileDelete(ctx, sh.Domain, ids)
	notDeleted, refused := models.Refused(err)
	if err != nil && !refused {
		return "", fmt.Errorf("delete review photos of %s: %w", sh.Domain, err)
	}
	return notDeleted, RemovePhotos(ctx, db, sh.ID, rows)
}
