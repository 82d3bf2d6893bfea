package reviews

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

const importBatch = 500

// ImportReport is the outcome of one import.
type ImportReport struct {
	Imported        int                     `json:"imported"`
	Skipped         int                     `json:"skipped"`    // rows not imported: duplicates + invalid
	Duplicates      int                     `json:"duplicates"` // rows already imported before (or twice in the file)
	Invalid         int                     `json:"invalid"`
	Errors          []models.ImportRowError `json:"errors"`
	ErrorsTruncated bool                    `json:"errors_truncated,omitempty"`
}

// ImportReviews streams an export into the shop's reviews: bad rows are reported with their
// line and reason, good rows are inserted in batches, and a row imported before (same reviewer,
// product, date, rating and text) is skipped, so importing a file twice changes nothing.
// Imported reviews are scored later (the caller enqueues scoring); they feed themes but never
// open cases. A file that cannot be read at all is an invalid "file" error with its line.
func ImportReviews(ctx context.Context, db *gorm.DB, shopID int64, r io.Reader, now time.Time) (ImportReport, error) {
	rep := ImportReport{Errors: []models.ImportRowError{}}
	settings, err := GetReviewSettings(ctx, db, shopID)
	if err != nil {
		return rep, err
	}
	ir, err := NewImportReader(r)
	if err != nil {
		var ie *models.ImportRowError
		if errors.As(err, &ie) {
			return rep, &models.Error{Code: models.EInvalid, Field: "file", Line: ie.Line, Message: ie.Reason}
		}
		return rep, fmt.Errorf("import reviews: %w", err)
	}
	batch := make([]ImportRow, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := insertImportBatch(ctx, db, shopID, settings, batch, now)
		if err != nil {
			return err
		}
		rep.Imported += n
		rep.Duplicates += len(batch) - n
		batch = batch[:0]
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		row, bad, err := ir.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var ie *models.ImportRowError
			if !errors.As(err, &ie) {
				return rep, fmt.Errorf("import reviews: %w", err)
			}
			bad = ie
		}
		if bad != nil {
			rep.Invalid++
			if len(rep.Errors) < models.MaxImportErrors {
				rep.Errors = append(rep.Errors, *bad)
			} else {
				rep.ErrorsTruncated = true
			}
			if err != nil {
				break // fatal for the rest of the file
			}
			continue
		}
		batch = append(batch, row)
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	rep.Skipped = rep.Duplicates + rep.Invalid
	return rep, nil
}

// importKey identifies a review across imports of the same or an overlapping file.
func importKey(r ImportRow) string {
	h := sha256.New()
	date := ""
	if r.Date != nil {
		date = r.Date.UTC().Format(time.RFC3339Nano)
	}
	for _, f := range []string{r.ReviewerEmail, r.ReviewerName, strconv.FormatInt(r.ProductID, 10), r.ProductHandle,
		date, strconv.Itoa(r.Rating), r.Title, r.Body} {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	return "import:" + hex.EncodeToString(h.Sum(nil)[:20])
}

func insertImportBatch(ctx context.Context, db *gorm.DB, shopID int64, s ReviewSettings, rows []ImportRow, now time.Time) (int, error) {
	n := len(rows)
	pids, ratings := make(models.Int64Array, n), make(models.Int64Array, n)
	handles, titles, bodies, names, emails, dates, keys := make(models.TextArray, n), make(models.TextArray, n), make(models.TextArray, n),
		make(models.TextArray, n), make(models.TextArray, n), make(models.TextArray, n), make(models.TextArray, n)
	for i, r := range rows {
		pids[i], ratings[i] = r.ProductID, int64(r.Rating)
		handles[i], titles[i], bodies[i], names[i], emails[i] = r.ProductHandle, r.Title, r.Body, r.ReviewerName, r.ReviewerEmail
		if r.Date != nil {
			dates[i] = r.Date.UTC().Format(time.RFC3339Nano)
		}
		keys[i] = importKey(r)
	}
	res := db.WithContext(ctx).Exec(`INSERT INTO reviews (shop_id, product_id, product_handle, customer_id, rating, title, body,
			reviewer_name, reviewer_email, status, verified_buyer, source, source_key, created_at, received_at, published_at)
		SELECT ?, NULLIF(x.pid, 0), x.handle, c.customer_id, x.rating, x.title, x.body, x.name, x.email,
			CASE WHEN ? AND x.rating >= ? THEN 'published' ELSE 'pending' END,
			c.customer_id IS NOT NULL AND x.pid <> 0 AND EXISTS (SELECT 1 FROM order_lines ol
				JOIN orders o ON o.shop_id = ol.shop_id AND o.order_id = ol.order_id
				WHERE ol.shop_id = ? AND ol.product_id = x.pid AND o.customer_id = c.customer_id
				  AND o.cancelled_at IS NULL AND NOT o.test),
			'import', x.key, COALESCE(NULLIF(x.at, '')::timestamptz, ?), ?,
			CASE WHEN ? AND x.rating >= ? THEN COALESCE(NULLIF(x.at, '')::timestamptz, ?) END
		FROM unnest(?::bigint[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
			AS x(pid, handle, rating, title, body, name, email, at, key)
		LEFT JOIN LATERAL (SELECT customer_id FROM customers
			WHERE shop_id = ? AND x.email <> '' AND lower(email) = x.email ORDER BY id LIMIT 1) c ON true
		ON CONFLICT (shop_id, source_key) WHERE source_key IS NOT NULL DO NOTHING`,
		shopID, s.AutoPublish, s.AutoPublishMinRating, shopID, now.UTC(), now.UTC(), s.AutoPublish, s.AutoPublishMinRating, now.UTC(),
		pids, handles, ratings, titles, bodies, names, emails, dates, keys, shopID)
	if res.Error != nil {
		return 0, fmt.Errorf("insert imported reviews: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}
