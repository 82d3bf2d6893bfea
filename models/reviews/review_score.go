package reviews

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
	"github.com/boomerang-app/boomerang/sentiment"
)

// ScoreOutcome is what scoring one review did.
type ScoreOutcome struct {
	Scored   bool  // false: already scored by this scorer version
	Negative bool  // the product rule for a make-it-right case
	CaseID   int64 // a case opened by this scoring (0 if none)
	AlertID  int64 // the merchant alert to deliver (0 if none)
}

// reviewText is a review as one text, for the complaint it may become and that complaint's
// themes. The scorer reads the title apart (sentiment.ScoreTitled): it is the writer's verdict.
func reviewText(r *Review) string {
	switch {
	case r.Title == "":
		return r.Body
	case r.Body == "":
		return r.Title
	}
	t := strings.TrimRight(r.Title, " ")
	if !strings.ContainsAny(t[len(t)-1:], ".!?…") {
		t += "."
	}
	return t + "\n" + r.Body
}

// ScoreReview scores a review with the current sentiment.Version and applies what follows, in
// one transaction: the stored score, the complaint themes (negative reviews), and — the first
// time a live review is scored negative — the make-it-right case, promotional hold,
// negative_review event and merchant alert. Scoring again with the same version is a no-op;
// with a new version the score and themes are replaced but no second case is opened.
func ScoreReview(ctx context.Context, db *gorm.DB, shopID, reviewID int64, now time.Time) (ScoreOutcome, error) {
	var out ScoreOutcome
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r Review
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Scopes(models.ShopScope(shopID)).Where("id = ?", reviewID).First(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // deleted since (shop redacted)
		}
		if err != nil {
			return err
		}
		if r.ScorerVersion != nil && *r.ScorerVersion == sentiment.Version {
			return nil
		}
		first := r.ScoredAt == nil
		text := reviewText(&r)
		res := sentiment.ScoreTitled(r.Rating, r.Title, r.Body)
		out.Scored = true
		out.Negative = sentiment.Negative(res, r.Rating)
		if err := tx.Exec(`UPDATE reviews SET sentiment_score = ?, sentiment_label = ?, sentiment_language = ?,
				sentiment_confidence = ?, sentiment_contradiction = ?, scorer_version = ?, scored_at = ?, updated_at = now()
			WHERE shop_id = ? AND id = ?`, res.Score, res.Label, res.Language, res.Confidence, res.Contradiction,
			sentiment.Version, now.UTC(), shopID, r.ID).Error; err != nil {
			return err
		}
		if out.Negative {
			c := models.ComplaintInput{SourceType: models.ComplaintReview, SourceID: r.ID, Text: text, Language: res.Language, At: r.CreatedAt}
			if r.CustomerID != nil {
				c.CustomerID = *r.CustomerID
			}
			if err := models.RecordComplaint(ctx, tx, shopID, c); err != nil {
				return err
			}
		} else if err := models.RemoveComplaint(ctx, tx, shopID, models.ComplaintReview, r.ID); err != nil {
			return err
		}
		// Cases are for what a shopper just told the shop: imported history and re-scores of
		// old reviews inform the themes but open nothing.
		if first && out.Negative && r.Source != SourceImport {
			// The hold length is the messaging policy's: one setting for the whole hold policy.
			policy, err := messaging.GetMessagePolicy(ctx, tx, shopID)
			if err != nil {
				return err
			}
			caseID, alertID, _, err := openCase(ctx, tx, &r, policy.NegativeReviewHoldDays, now)
			if err != nil {
				return err
			}
			out.CaseID, out.AlertID = caseID, alertID
		}
		return nil
	})
	if err != nil {
		return ScoreOutcome{}, fmt.Errorf("score review %d: %w", reviewID, err)
	}
	return out, nil
}

// ReviewsToScore lists up to limit reviews of a shop not scored by the current scorer version,
// oldest first (new arrivals are scored by their own task; this catches lost tasks, imports
// and version changes).
func ReviewsToScore(ctx context.Context, db *gorm.DB, shopID int64, limit int) ([]int64, error) {
	var ids []int64
	// "<" or ">" rather than "<>" so the scorer_version index serves the query.
	err := db.WithContext(ctx).Raw(`SELECT id FROM reviews WHERE shop_id = ?
		AND (scored_at IS NULL OR scorer_version < ? OR scorer_version > ?) ORDER BY id LIMIT ?`,
		shopID, sentiment.Version, sentiment.Version, limit).Scan(&ids).Error
	return ids, err
}

// ShopsWithReviewsToScore lists shops that have reviews waiting for the current scorer.
func ShopsWithReviewsToScore(ctx context.Context, db *gorm.DB) ([]int64, error) {
	var ids []int64
	err := db.WithContext(models.AllShops(ctx)).Raw(`SELECT shop_id FROM reviews WHERE scored_at IS NULL
		UNION SELECT shop_id FROM reviews WHERE scorer_version < ? OR scorer_version > ?`,
		sentiment.Version, sentiment.Version).Scan(&ids).Error
	return ids, err
}
