package models

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Boomerang's Shopify Flow triggers (issue 12): what Boomerang knows about a shopper, handed to
// the merchant's workflows so their other tools can act on it. A trigger is written beside its
// cause (the outbox event, the hold change) only for shops whose Flow uses it, as Flow's
// lifecycle callback reports, and a job sends it with flowTriggerReceive.

// FlowTrigger is one trigger extension: its handle, the name merchants see in Flow (Flow's
// lifecycle callback may name the trigger by either), and the keys of the fields its payload
// carries besides the customer. TestFlowTriggerExtensionsMatch keeps these equal to
// extensions/*/shopify.extension.toml.
type FlowTrigger struct {
	Handle string
	Name   string
	Fields []string
}

// Flow trigger handles.
const (
	FlowTriggerNegativeReview = "negative-review-received"
	FlowTriggerHoldPlaced     = "promotional-hold-placed"
	FlowTriggerHoldReleased   = "promotional-hold-released"
	FlowTriggerTierChanged    = "loyalty-tier-changed"
	FlowTriggerPointsExpiring = "loyalty-points-expiring"
	FlowTriggerAtRisk         = "customer-at-risk"
)

// FlowTriggers lists every trigger Boomerang sends.
var FlowTriggers = []FlowTrigger{
	{FlowTriggerNegativeReview, "Negative review received", []string{"Rating", "Review title", "Product ID"}},
	{FlowTriggerHoldPlaced, "Promotional hold placed", []string{"Reason"}},
	{FlowTriggerHoldReleased, "Promotional hold released", nil},
	{FlowTriggerTierChanged, "Loyalty tier changed", []string{"Previous tier", "New tier", "Direction"}},
	{FlowTriggerPointsExpiring, "Loyalty points expiring", []string{"Points", "Expires on", "Days before"}},
	{FlowTriggerAtRisk, "Customer at risk", []string{"Last order on"}},
}

// FlowTriggerSend is one trigger to send: Payload is flowTriggerReceive's payload, the
// customer reference (customer_id) and the trigger's fields.
type FlowTriggerSend struct {
	ID         int64           `json:"id"`
	ShopID     int64           `json:"-"`
	Handle     string          `json:"handle"`
	Key        string          `json:"key"`
	CustomerID int64           `json:"customer_id"`
	Payload    json.RawMessage `gorm:"type:jsonb" json:"payload"`
	CreatedAt  time.Time       `json:"created_at"`
	SentAt     *time.Time      `json:"sent_at"`
	Failed     string          `json:"failed,omitempty"` // Flow's answer when it refused the trigger
}

func newFlowSend(shopID, customerID int64, handle, key string, fields map[string]any) FlowTriggerSend {
	p := map[string]any{"customer_id": customerID}
	for k, v := range fields {
		p[k] = v
	}
	body, _ := json.Marshal(p) // strings, numbers and bools only
	return FlowTriggerSend{ShopID: shopID, Handle: handle, Key: key, CustomerID: customerID, Payload: body}
}

// flowTriggers is the Flow trigger each kind of event starts.
var flowTriggers = map[string]string{
	EventNegativeReview: FlowTriggerNegativeReview,
	EventTierChanged:    FlowTriggerTierChanged,
	EventPointsExpiring: FlowTriggerPointsExpiring,
	EventAtRisk:         FlowTriggerAtRisk,
}

// FlowTriggerKinds are the kinds of event that start a Flow trigger.
func FlowTriggerKinds() []string { return slices.Sorted(maps.Keys(flowTriggers)) }

// FlowSendForEvent is the trigger an outbox event starts, if its kind has one. The fields are
// read from the event's typed payload; a redacted event's payload is {}, so they stay empty.
func FlowSendForEvent(ev Event) (FlowTriggerSend, bool) {
	handle, ok := flowTriggers[ev.Kind]
	if !ok || ev.CustomerID == nil || *ev.CustomerID == 0 {
		return FlowTriggerSend{}, false
	}
	var fields map[string]any
	switch ev.Kind {
	case EventNegativeReview:
		p := payloadOf[NegativeReviewPayload](ev)
		product := ""
		if p.ProductID != nil {
			product = strconv.FormatInt(*p.ProductID, 10)
		}
		fields = map[string]any{"Rating": p.Rating, "Review title": p.Title, "Product ID": product}
	case EventTierChanged:
		p := payloadOf[TierChangedPayload](ev)
		fields = map[string]any{"Previous tier": p.From, "New tier": p.To, "Direction": p.Direction}
	case EventPointsExpiring:
		p := payloadOf[PointsExpiringPayload](ev)
		fields = map[string]any{"Points": p.Points, "Expires on": p.ExpiresAt.UTC().Format(time.DateOnly), "Days before": p.DaysBefore}
	case EventAtRisk:
		last := ""
		if p := payloadOf[AtRiskPayload](ev); !p.LastOrderAt.IsZero() {
			last = p.LastOrderAt.UTC().Format(time.DateOnly)
		}
		fields = map[string]any{"Last order on": last}
	}
	return newFlowSend(ev.ShopID, *ev.CustomerID, handle, ev.Kind+":"+ev.Key, fields), true
}

// FlowSendForHold is the trigger a customer's hold change starts: placed when a hold came into
// force, released when the last one ended. Keyed by the hold rows, so a repeat sync of the same
// change sends nothing more.
func FlowSendForHold(shopID int64, ch HoldTagChange) (FlowTriggerSend, bool) {
	switch {
	case ch.Held && len(ch.Active) > 0:
		return newFlowSend(shopID, ch.CustomerID, FlowTriggerHoldPlaced, "hold:"+strconv.FormatInt(ch.Active[0], 10),
			map[string]any{"Reason": strings.Join(ch.Reasons, ", ")}), true
	case !ch.Held && len(ch.Ended) > 0:
		return newFlowSend(shopID, ch.CustomerID, FlowTriggerHoldReleased, "release:"+strconv.FormatInt(ch.Ended[len(ch.Ended)-1], 10), nil), true
	}
	return FlowTriggerSend{}, false
}

// RecordFlowTriggerUsage stores a lifecycle callback: whether the shop has an enabled workflow
// that uses the trigger. A callback older than the one stored changes nothing (applied false).
func RecordFlowTriggerUsage(ctx context.Context, db *gorm.DB, shopID int64, definitionID string, enabled bool, at time.Time) (applied bool, err error) {
	definitionID = strings.TrimSpace(definitionID)
	if definitionID == "" || len(definitionID) > 255 {
		return false, Invalid("flow_trigger_definition_id", "missing or longer than 255 characters")
	}
	res := db.WithContext(ctx).Exec(`INSERT INTO flow_trigger_usage (shop_id, definition_id, enabled, changed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (shop_id, definition_id) DO UPDATE SET enabled = EXCLUDED.enabled, changed_at = EXCLUDED.changed_at
		WHERE flow_trigger_usage.changed_at < EXCLUDED.changed_at`, shopID, definitionID, enabled, at.UTC())
	if res.Error != nil {
		return false, fmt.Errorf("flow trigger usage of shop %d: %w", shopID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// FlowTriggersInUse returns the handles of the triggers a shop's enabled workflows use. Flow
// names a trigger by its definition id, which matches the handle or the merchant-facing name;
// an enabled id that matches neither puts every trigger in use, since sending one Flow ignores
// costs an API call while withholding one would silently break a merchant's workflow.
func FlowTriggersInUse(ctx context.Context, db *gorm.DB, shopID int64) (map[string]bool, error) {
	var ids []string
	if err := db.WithContext(ctx).Raw(`SELECT definition_id FROM flow_trigger_usage WHERE shop_id = ? AND enabled`, shopID).
		Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("flow triggers of shop %d: %w", shopID, err)
	}
	use := map[string]bool{}
	for _, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		known := false
		for _, t := range FlowTriggers {
			if id == t.Handle || id == strings.ToLower(t.Name) {
				use[t.Handle], known = true, true
			}
		}
		if !known {
			for _, t := range FlowTriggers {
				use[t.Handle] = true
			}
		}
	}
	return use, nil
}

// QueueFlowTriggers stores the sends whose trigger is in use, once per (handle, key); it
// returns how many are new.
func QueueFlowTriggers(ctx context.Context, db *gorm.DB, inUse map[string]bool, sends []FlowTriggerSend) (int, error) {
	var rows []FlowTriggerSend
	for _, s := range sends {
		if inUse[s.Handle] {
			rows = append(rows, s)
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	res := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Omit("ID", "CreatedAt", "SentAt", "Failed").Create(&rows)
	if res.Error != nil {
		return 0, fmt.Errorf("queue flow triggers: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// PendingFlowTriggers lists up to limit unsent triggers of a shop, oldest first.
func PendingFlowTriggers(ctx context.Context, db *gorm.DB, shopID int64, limit int) ([]FlowTriggerSend, error) {
	var out []FlowTriggerSend
	err := Scoped(ctx, db, shopID).Where("sent_at IS NULL").Order("id").Limit(limit).Find(&out).Error
	return out, err
}

// MarkFlowTriggerSent settles a send: Flow took it, or refused it for good (failed says why).
func MarkFlowTriggerSent(ctx context.Context, db *gorm.DB, shopID, id int64, failed string, at time.Time) error {
	return Scoped(ctx, db, shopID).Model(&FlowTriggerSend{}).Where("id = ?", id).
		Updates(map[string]any{"sent_at": at.UTC(), "failed": failed}).Error
}

// SettlePendingFlowTriggers settles every unsent trigger of a shop without sending it.
func SettlePendingFlowTriggers(ctx context.Context, db *gorm.DB, shopID int64, failed string, at time.Time) error {
	return Scoped(ctx, db, shopID).Model(&FlowTriggerSend{}).Where("sent_at IS NULL").
		Updates(map[string]any{"sent_at": at.UTC(), "failed": failed}).Error
}

// RecentFlowTriggers lists a shop's latest sends, newest first (the admin's Flow panel).
func RecentFlowTriggers(ctx context.Context, db *gorm.DB, shopID int64, limit int) ([]FlowTriggerSend, error) {
	var out []FlowTriggerSend
	err := Scoped(ctx, db, shopID).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// ShopsWithPendingFlowTriggers lists shops with a send queued before `before` and not sent (the
// sweeper's catch for a lost task).
func ShopsWithPendingFlowTriggers(ctx context.Context, db *gorm.DB, before time.Time) ([]int64, error) {
	var ids []int64
	err := db.WithContext(AllShops(ctx)).Model(&FlowTriggerSend{}).Where("sent_at IS NULL AND created_at < ?", before).
		Distinct("shop_id").Pluck("shop_id", &ids).Error
	return ids, err
}

func init() {
	RegisterExporter("flow_triggers", func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error) {
		var out []FlowTriggerSend
		err := Scoped(ctx, tx, shopID).Where("customer_id = ?", customerID).Order("id").Find(&out).Error
		return out, err
	})
	RegisterRedactor(func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) error {
		return tx.Exec(`DELETE FROM flow_trigger_sends WHERE shop_id = ? AND customer_id = ?`, shopID, customerID).Error
	})
}

// WithFlowSendLock runs fn while holding the shop's Flow send lock, waiting for another run to
// end first, so two runs never send the same trigger (each reads what is pending once it holds
// the lock).
func WithFlowSendLock(ctx context.Context, db *gorm.DB, shopID int64, fn func() error) error {
	_, err := WithRunLock(ctx, db, LockKey("flow-trigger-send", shopID), true, fn)
	return err
}
