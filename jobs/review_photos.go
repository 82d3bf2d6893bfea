package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/reviews"
	"github.com/boomerang-app/boomerang/shopify"
)

// Review photos to Shopify Files (issue 13): pending photos are uploaded (staged upload, then
// fileCreate), uploaded ones are polled until Shopify has processed them, and the photos of
// deleted reviews or redacted customers are deleted from Files, then here. A throttled or failed
// call stops the run for Asynq's retry; nothing is marked before Shopify has it.

// TypeReviewPhotos runs a shop's photo work ({"id"}).
const TypeReviewPhotos = "reviews:photos"

const (
	photoBatch = 10
	// photoPollEvery is how soon a run checks again on photos Shopify is still processing.
	photoPollEvery = 3 * time.Second
)

// EnqueueReviewPhotos runs a shop's photo work after `in`. A follow-up (in > 0) is keyed by its
// time slot rather than the uniqueness lock, which the run enqueueing it still holds.
func (q *Queue) EnqueueReviewPhotos(ctx context.Context, shopID int64, in time.Duration) error {
	opts := []asynq.Option{asynq.Queue(QueueLow), asynq.MaxRetry(20)}
	if in > 0 {
		slot := time.Now().Add(in).UnixMilli() / in.Milliseconds()
		opts = append(opts, asynq.ProcessIn(in), asynq.TaskID(fmt.Sprintf("photos:%d:%d", shopID, slot)))
	} else {
		opts = append(opts, asynq.Unique(2*time.Second))
	}
	return q.enqueue(ctx, shopTask(TypeReviewPhotos, shopID), opts...)
}

func (w *Worker) handleReviewPhotos(ctx context.Context, t *asynq.Task) error {
	shopID, err := decodeID(t)
	if err != nil {
		return err
	}
	again, err := w.SyncReviewPhotos(ctx, shopID)
	if err != nil || !again || w.Queue == nil {
		return err
	}
	return w.Queue.EnqueueReviewPhotos(ctx, shopID, photoPollEvery)
}

// SyncReviewPhotos does one round of a shop's photo work; again is true while Shopify is still
// processing photos (or more work is waiting).
func (w *Worker) SyncReviewPhotos(ctx context.Context, shopID int64) (again bool, err error) {
	sh, err := models.GetShop(ctx, w.DB, shopID)
	if err != nil || sh.Status != models.ShopInstalled {
		return false, err
	}
	var work reviews.PhotoWork
	locked, err := reviews.WithPhotoLock(ctx, w.DB, shopID, func() error {
		if work, err = reviews.PendingPhotoWork(ctx, w.DB, shopID, photoBatch); err != nil {
			return err
		}
		return w.photoStep(ctx, sh, work)
	})
	if !locked && err == nil {
		return true, nil // another run is at it; look again shortly
	}
	if errors.Is(err, shopify.ErrNoToken) {
		return false, nil
	}
	return len(work.Upload)+len(work.Process)+len(work.Delete) > 0, err
}

func (w *Worker) photoStep(ctx context.Context, sh *models.Shop, work reviews.PhotoWork) error {
	var refused *shopify.RefusedError
	if len(work.Upload) > 0 {
		imgs := make([]shopify.ImageFile, len(work.Upload))
		for i, p := range work.Upload {
			imgs[i] = shopify.ImageFile{Filename: fmt.Sprintf("review-%d-%d.jpg", *p.ReviewID, p.Position), MimeType: "image/jpeg",
				Data: p.Data, Alt: "Customer photo"}
		}
		ids, err := w.Admin.UploadImages(ctx, sh.Domain, imgs)
		switch {
		case errors.As(err, &refused):
			for _, p := range work.Upload {
				if err := reviews.MarkPhotoFailed(ctx, w.DB, sh.ID, p.ID, refused.Error()); err != nil {
					return err
				}
			}
		case err != nil:
			return fmt.Errorf("upload review photos of %s: %w", sh.Domain, err)
		default:
			for i, p := range work.Upload {
				if err := reviews.MarkPhotoUploaded(ctx, w.DB, sh.ID, p.ID, ids[i]); err != nil {
					return err
				}
			}
		}
	}
	if len(work.Process) > 0 {
		ids := make([]string, len(work.Process))
		for i, p := range work.Process {
			ids[i] = p.FileID
		}
		states, err := w.Admin.FileStates(ctx, sh.Domain, ids)
		if err != nil {
			return fmt.Errorf("review photo states of %s: %w", sh.Domain, err)
		}
		for i, s := range states {
			p := work.Process[i]
			switch s.Status {
			case "READY":
				err = reviews.MarkPhotoReady(ctx, w.DB, sh.ID, p.ID, s.URL, s.Width, s.Height)
			case "FAILED":
				err = reviews.MarkPhotoFailed(ctx, w.DB, sh.ID, p.ID, "Shopify could not process the image")
			}
			if err != nil {
				return err
			}
		}
	}
	if len(work.Delete) > 0 {
		var files []string
		rows := make([]int64, len(work.Delete))
		for i, p := range work.Delete {
			rows[i] = p.ID
			if p.FileID != "" {
				files = append(files, p.FileID)
			}
		}
		if err := w.Admin.FileDelete(ctx, sh.Domain, files); errors.As(err, &refused) {
			w.Log.Warn("review photos not deleted from Shopify Files; remove them there", "shop", sh.Domain, "error", err)
		} else if err != nil {
			return fmt.Errorf("delete review photos of %s: %w", sh.Domain, err)
		}
		if err := reviews.RemovePhotos(ctx, w.DB, sh.ID, rows); err != nil {
			return err
		}
	}
	return nil
}

// sweepReviewPhotos enqueues shops with photo work a lost task left behind.
func (w *Worker) sweepReviewPhotos(ctx context.Context) error {
	shops, err := reviews.ShopsWithPhotoWork(ctx, w.DB)
	if err != nil {
		return err
	}
	for _, id := range shops {
		if err := w.Queue.EnqueueReviewPhotos(ctx, id, 0); err != nil {
			return err
		}
	}
	return nil
}
