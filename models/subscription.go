package models

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Subscription contract statuses as Shopify reports them.
const (
	SubscriptionActive    = "active"
	SubscriptionPaused    = "paused"
	SubscriptionCancelled = "cancelled"
	SubscriptionExpired   = "expired"
	SubscriptionFailed    = "failed"
	SubscriptionStale     = "stale"
)

// subscribedStatuses are the statuses in which the shopper still holds the subscription: a
// paused subscriber is still not sent promotions for the product they subscribe to.
var subscribedStatuses = []string{SubscriptionActive, SubscriptionPaused}

func endedStatus(s string) bool {
	return s == SubscriptionCancelled || s == SubscriptionExpired || s == SubscriptionFailed
}

// HoldSourceSubscription is the hold source of a cancellation cool-down.
const HoldSourceSubscription = "subscription_contract"

// SubscriptionContract is one contract with its current status.
type SubscriptionContract struct {
	ID                    int64              `json:"-"`
	ShopID                int64              `json:"-"`
	ContractID            int64              `json:"id"`
	CustomerID            int64              `json:"customer_id"`
	Status                string             `json:"status"`
	RevisionID            int64              `json:"revision_id"`
	StatusAt              time.Time          `json:"status_at"`
	Currency              string             `json:"currency"`
	BillingInterval       string             `json:"billing_interval"`
	BillingIntervalCount  int                `json:"billing_interval_count"`
	DeliveryInterval      string             `json:"delivery_interval"`
	DeliveryIntervalCount int                `json:"delivery_interval_count"`
	OriginOrderID         int64              `json:"origin_order_id"`
	CancellationReason    string             `json:"cancellation_reason,omitempty"`
	StartedAt             time.Time          `json:"started_at"`
	EndedAt               *time.Time         `json:"ended_at"`
	LinesRevision         int64              `json:"-"`
	LinesFetchedAt        *time.Time         `json:"lines_fetched_at"`
	Source                string             `json:"source"` // contract, orders (recognised from plan orders), flow
	LastRenewalAt         *time.Time         `json:"last_renewal_at,omitempty"`
	LapseAt               *time.Time         `json:"lapse_at,omitempty"`
	Lines                 []SubscriptionLine `json:"lines" gorm:"-"`
	CreatedAt             time.Time          `json:"-"`
	UpdatedAt             time.Time          `json:"-"`
}

// SubscriptionLine is one product line of a contract.
type SubscriptionLine struct {
	ShopID     int64  `json:"-"`
	ContractID int64  `json:"-"`
	Position   int    `json:"-"`
	ProductID  int64  `json:"product_id"`
	VariantID  int64  `json:"variant_id"`
	Title      string `json:"title"`
	Quantity   int    `json:"quantity"`
}

// SubscriptionTiming is the merchant's timing around subscriptions, set in messaging's policy:
// how long promotions wait after one ends, and how late a renewal may be before it lapses.
type SubscriptionTiming struct {
	Cooldown time.Duration
	Grace    time.Duration
}

// SubscriptionFact is one subscription_contracts/* delivery.
type SubscriptionFact struct {
	ContractID            int64
	CustomerID            int64
	Status                string
	RevisionID            int64
	At                    time.Time // when Shopify reported it (X-Shopify-Triggered-At, else receipt)
	Topic                 string
	WebhookEventID        int64
	Currency              string
	BillingInterval       string
	BillingIntervalCount  int
	DeliveryInterval      string
	DeliveryIntervalCount int
	OriginOrderID         int64
	CancellationReason    string
}

// SubscriptionChange says what a fact did.
type SubscriptionChange struct {
	Applied    bool   // the fact was newer than the stored status
	Previous   string // the status before ("" for a new contract)
	Cancelled  bool   // this fact cancelled the contract (a win-back event was emitted)
	NeedsLines bool   // the lines should be (re)fetched from the Admin API
}

// newerThan decides whether a report supersedes the stored one. Revisions grow with every
// change of a contract, so they decide when both are known; the report time decides otherwise.
func (f SubscriptionFact) newerThan(c *SubscriptionContract) bool {
	if f.RevisionID != 0 && c.RevisionID != 0 && f.RevisionID != c.RevisionID {
		return f.RevisionID > c.RevisionID
	}
	return !f.At.Before(c.StatusAt)
}

// ApplySubscriptionContract stores a contract report, once per webhook and only when it is
// newer than what is stored (duplicate and out-of-order deliveries change nothing). A fresh
// cancellation emits EventSubscriptionCancelled and places the cancellation cool-down hold.
func ApplySubscriptionContract(ctx context.Context, db *gorm.DB, shopID int64, f SubscriptionFact, cooldown time.Duration) (SubscriptionChange, error) {
	var ch SubscriptionChange
	if f.ContractID == 0 || f.Status == "" {
		return ch, Invalid("subscription_contract", "id and status are required")
	}
	if f.At.IsZero() {
		f.At = time.Now()
	}
	f.At = f.At.UTC()
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := EnsureCustomer(ctx, tx, shopID, f.CustomerID); err != nil {
			return err
		}
		var cur []SubscriptionContract
		if err := tx.Scopes(ShopScope(shopID)).Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("contract_id = ?", f.ContractID).Find(&cur).Error; err != nil {
			return err
		}
		ch.Applied = len(cur) == 0 || f.newerThan(&cur[0])
		if len(cur) == 1 {
			ch.Previous = cur[0].Status
		}
		var historyID int64
		if err := tx.Raw(`INSERT INTO subscription_status_history (shop_id, contract_id, customer_id, topic, status,
				revision_id, reason, occurred_at, webhook_event_id, applied)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, webhook_event_id) DO NOTHING RETURNING id`,
			shopID, f.ContractID, f.CustomerID, f.Topic, f.Status, f.RevisionID, f.CancellationReason, f.At,
			f.WebhookEventID, ch.Applied).Scan(&historyID).Error; err != nil {
			return err
		}
		if !ch.Applied {
			return nil
		}
		var endedAt *time.Time
		switch {
		case endedStatus(f.Status) && (len(cur) == 0 || !endedStatus(cur[0].Status)):
			endedAt = &f.At
		case endedStatus(f.Status):
			endedAt = cur[0].EndedAt
		}
		reason := f.CancellationReason
		if reason == "" && len(cur) == 1 && f.Status == SubscriptionCancelled {
			reason = cur[0].CancellationReason
		}
		if err := tx.Exec(`INSERT INTO subscription_contracts (shop_id, contract_id, customer_id, status, revision_id,
				status_at, currency, billing_interval, billing_interval_count, delivery_interval, delivery_interval_count,
				origin_order_id, cancellation_reason, started_at, ended_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (shop_id, contract_id) DO UPDATE SET customer_id = CASE WHEN EXCLUDED.customer_id <> 0
					THEN EXCLUDED.customer_id ELSE subscription_contracts.customer_id END,
				status = EXCLUDED.status, revision_id = GREATEST(subscription_contracts.revision_id, EXCLUDED.revision_id),
				status_at = EXCLUDED.status_at, currency = EXCLUDED.currency, billing_interval = EXCLUDED.billing_interval,
				billing_interval_count = EXCLUDED.billing_interval_count, delivery_interval = EXCLUDED.delivery_interval,
				delivery_interval_count = EXCLUDED.delivery_interval_count,
				origin_order_id = CASE WHEN EXCLUDED.origin_order_id <> 0 THEN EXCLUDED.origin_order_id ELSE subscription_contracts.origin_order_id END,
				cancellation_reason = EXCLUDED.cancellation_reason,
				started_at = LEAST(subscription_contracts.started_at, EXCLUDED.started_at),
				ended_at = EXCLUDED.ended_at, updated_at = now()`,
			shopID, f.ContractID, f.CustomerID, f.Status, f.RevisionID, f.At, f.Currency, f.BillingInterval,
			f.BillingIntervalCount, f.DeliveryInterval, f.DeliveryIntervalCount, f.OriginOrderID, reason, f.At, endedAt).Error; err != nil {
			return err
		}
		linesRev := int64(-1)
		if len(cur) == 1 {
			linesRev = cur[0].LinesRevision
		}
		ch.NeedsLines = f.Topic == "subscription_contracts/create" || f.Topic == "subscription_contracts/update" ||
			linesRev < 0 || (f.RevisionID != 0 && linesRev != f.RevisionID)

		switch {
		case f.Status == SubscriptionCancelled && ch.Previous != SubscriptionCancelled:
			ch.Cancelled = true
			return recordCancellation(ctx, tx, shopID, f, reason, cooldown, historyID)
		case (f.Status == SubscriptionActive || f.Status == SubscriptionPaused) && endedStatus(ch.Previous):
			// Reactivated: the cool-down of the earlier cancellation no longer applies.
			return ReleaseHolds(ctx, tx, shopID, HoldSourceSubscription, strconv.FormatInt(f.ContractID, 10))
		}
		return nil
	})
	if err != nil {
		return SubscriptionChange{}, fmt.Errorf("apply subscription contract %d: %w", f.ContractID, err)
	}
	return ch, nil
}

// recordCancellation emits the win-back event and places the promotional cool-down.
func recordCancellation(ctx context.Context, tx *gorm.DB, shopID int64, f SubscriptionFact, reason string, cooldown time.Duration, historyID int64) error {
	var products []int64
	if err := tx.Raw(`SELECT DISTINCT product_id FROM subscription_lines WHERE shop_id = ? AND contract_id = ? AND product_id <> 0
		ORDER BY product_id`, shopID, f.ContractID).Scan(&products).Error; err != nil {
		return err
	}
	key := fmt.Sprintf("%d:%d:%d", f.ContractID, f.RevisionID, f.At.Unix())
	payload := SubscriptionCancelledPayload{ContractID: f.ContractID, Reason: reason, ProductIDs: products,
		Entity: "contract:" + strconv.FormatInt(f.ContractID, 10)}
	if _, err := Emit(ctx, tx, shopID, f.CustomerID, key, payload, f.At); err != nil {
		return err
	}
	// The shopper's reason joins negative reviews in the complaint themes.
	if strings.TrimSpace(reason) != "" && historyID != 0 {
		if err := RecordComplaint(ctx, tx, shopID, ComplaintInput{SourceType: ComplaintCancellation, SourceID: historyID,
			CustomerID: f.CustomerID, Text: reason, At: f.At}); err != nil {
			return err
		}
	}
	if cooldown <= 0 || f.CustomerID == 0 {
		return nil
	}
	until := f.At.Add(cooldown)
	_, err := PlaceHold(ctx, tx, shopID, f.CustomerID, HoldRecentCancellation, HoldSourceSubscription,
		strconv.FormatInt(f.ContractID, 10), &until)
	return err
}

// RefreshContractLines reads a contract's lines from Shopify and stores them at the revision
// the webhook named. found is false when Shopify does not know the contract (deleted, or another
// app's): nothing is stored.
func RefreshContractLines(ctx context.Context, db *gorm.DB, src ContractLineSource, shopID, contractID, revision int64) (found bool, err error) {
	sh, err := GetShop(ctx, db, shopID)
	if err != nil {
		return false, err
	}
	lines, found, err := src.ContractLines(ctx, sh.Domain, contractID)
	if err != nil || !found {
		return false, err
	}
	return true, ReplaceSubscriptionLines(ctx, db, shopID, contractID, revision, lines)
}

// ReplaceSubscriptionLines stores the lines fetched for a contract at a revision.
func ReplaceSubscriptionLines(ctx context.Context, db *gorm.DB, shopID, contractID, revision int64, lines []SubscriptionLine) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM subscription_lines WHERE shop_id = ? AND contract_id = ?`, shopID, contractID).Error; err != nil {
			return err
		}
		for i := range lines {
			lines[i].ShopID, lines[i].ContractID, lines[i].Position = shopID, contractID, i
		}
		if len(lines) > 0 {
			if err := tx.Create(&lines).Error; err != nil {
				return err
			}
		}
		return tx.Exec(`UPDATE subscription_contracts SET lines_revision = ?, lines_fetched_at = now(), updated_at = now()
			WHERE shop_id = ? AND contract_id = ?`, revision, shopID, contractID).Error
	})
}

// GetSubscriptionContract loads one contract with its lines.
func GetSubscriptionContract(ctx context.Context, db *gorm.DB, shopID, contractID int64) (*SubscriptionContract, error) {
	c, err := FindOne[SubscriptionContract](ctx, db, shopID, "subscription contract", "contract_id", contractID)
	if err != nil {
		return nil, err
	}
	if err := Scoped(ctx, db, shopID).Where("contract_id = ?", contractID).Order("position").Find(&c.Lines).Error; err != nil {
		return nil, err
	}
	return c, nil
}

// CustomerSubscriptions lists a customer's contracts with their lines, newest first.
func CustomerSubscriptions(ctx context.Context, db *gorm.DB, shopID, customerID int64) ([]SubscriptionContract, error) {
	var cs []SubscriptionContract
	if err := Scoped(ctx, db, shopID).Where("customer_id = ?", customerID).Order("started_at DESC, id DESC").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("subscriptions of customer %d: %w", customerID, err)
	}
	for i := range cs {
		cs[i].Lines = []SubscriptionLine{}
		if err := Scoped(ctx, db, shopID).Where("contract_id = ?", cs[i].ContractID).Order("position").Find(&cs[i].Lines).Error; err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// SubscribedProducts returns, per customer, the product ids of their active (or paused)
// subscriptions: what promotions must not feature.
func SubscribedProducts(ctx context.Context, db *gorm.DB, shopID int64, customerIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(customerIDs) == 0 {
		return out, nil
	}
	var rows []struct{ CustomerID, ProductID int64 }
	err := db.WithContext(ctx).Raw(`SELECT DISTINCT c.customer_id, l.product_id
		FROM subscription_contracts c JOIN subscription_lines l ON l.shop_id = c.shop_id AND l.contract_id = c.contract_id
		WHERE c.shop_id = ? AND c.customer_id IN ? AND c.status IN ? AND l.product_id <> 0`,
		shopID, customerIDs, subscribedStatuses).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("subscribed products: %w", err)
	}
	for _, r := range rows {
		out[r.CustomerID] = append(out[r.CustomerID], r.ProductID)
	}
	return out, nil
}

// CancellationReason is one cancellation with the shopper's reason, for complaint themes.
type CancellationReason struct {
	ContractID  int64     `json:"contract_id"`
	CustomerID  int64     `json:"customer_id"`
	Reason      string    `json:"reason"`
	CancelledAt time.Time `json:"cancelled_at"`
}

// CancellationReasons lists cancellations with a reason since a time, newest first.
func CancellationReasons(ctx context.Context, db *gorm.DB, shopID int64, since time.Time, limit int) ([]CancellationReason, error) {
	if limit <= 0 {
		limit = 1000
	}
	var out []CancellationReason
	err := db.WithContext(ctx).Raw(`SELECT DISTINCT ON (contract_id, revision_id) contract_id, customer_id, reason, occurred_at AS cancelled_at
		FROM subscription_status_history
		WHERE shop_id = ? AND status = ? AND applied AND reason <> '' AND occurred_at >= ?
		ORDER BY contract_id, revision_id, occurred_at`, shopID, SubscriptionCancelled, since).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("cancellation reasons: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CancelledAt.After(out[j].CancelledAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// SubscriptionChurnFigures are a period's subscription churn numbers for the scorecard.
type SubscriptionChurnFigures struct {
	ActiveAtStart int     `json:"active_at_start"`
	Started       int     `json:"started"`
	Cancelled     int     `json:"cancelled"`
	ActiveAtEnd   int     `json:"active_at_end"`
	Rate          float64 `json:"rate"` // cancelled / active at start (0 when none were active)
	// BySource splits the figures by where the subscriptions are known from (contract, orders,
	// flow); only sources with subscriptions appear.
	BySource map[string]SubscriptionChurnFigures `json:"by_source,omitempty"`
}

func (f *SubscriptionChurnFigures) rate() {
	if f.ActiveAtStart > 0 {
		f.Rate = float64(f.Cancelled) / float64(f.ActiveAtStart)
	}
}

// SubscriptionChurn computes churn over [from, to): subscriptions cancelled (or lapsed) in the
// period divided by those running at its start, in all and per source. A lapse undone by a
// later renewal is not counted.
func SubscriptionChurn(ctx context.Context, db *gorm.DB, shopID int64, from, to time.Time) (SubscriptionChurnFigures, error) {
	var rows []struct {
		Source                                         string
		ActiveAtStart, Started, ActiveAtEnd, Cancelled int
	}
	err := db.WithContext(ctx).Raw(`SELECT c.source,
			count(*) FILTER (WHERE c.started_at < @from AND (c.ended_at IS NULL OR c.ended_at >= @from)) AS active_at_start,
			count(*) FILTER (WHERE c.started_at >= @from AND c.started_at < @to) AS started,
			count(*) FILTER (WHERE c.started_at < @to AND (c.ended_at IS NULL OR c.ended_at >= @to)) AS active_at_end,
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM subscription_status_history h
				WHERE h.shop_id = c.shop_id AND h.contract_id = c.contract_id AND h.status = @cancelled AND h.applied
				  AND h.occurred_at >= @from AND h.occurred_at < @to)) AS cancelled
		FROM subscription_contracts c WHERE c.shop_id = @shop GROUP BY c.source ORDER BY c.source`,
		map[string]any{"shop": shopID, "from": from, "to": to, "cancelled": SubscriptionCancelled}).Scan(&rows).Error
	if err != nil {
		return SubscriptionChurnFigures{}, fmt.Errorf("subscription churn: %w", err)
	}
	f := SubscriptionChurnFigures{BySource: map[string]SubscriptionChurnFigures{}}
	for _, r := range rows {
		src := SubscriptionChurnFigures{ActiveAtStart: r.ActiveAtStart, Started: r.Started, Cancelled: r.Cancelled, ActiveAtEnd: r.ActiveAtEnd}
		src.rate()
		f.BySource[r.Source] = src
		f.ActiveAtStart, f.Started, f.Cancelled, f.ActiveAtEnd = f.ActiveAtStart+src.ActiveAtStart, f.Started+src.Started,
			f.Cancelled+src.Cancelled, f.ActiveAtEnd+src.ActiveAtEnd
	}
	f.rate()
	return f, nil
}

func init() {
	RegisterExporter("subscriptions", func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error) {
		return CustomerSubscriptions(ctx, tx, shopID, customerID)
	})
	RegisterRedactor(func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) error {
		// Cancellation reasons are the shopper's own words.
		if err := tx.Exec(`UPDATE subscription_contracts SET cancellation_reason = '' WHERE shop_id = ? AND customer_id = ?`,
			shopID, customerID).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE subscription_status_history SET reason = '' WHERE shop_id = ? AND customer_id = ?`,
			shopID, customerID).Error
	})
}
