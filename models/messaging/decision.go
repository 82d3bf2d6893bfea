package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/boomerang-app/boomerang/models"
)

// Decision states stored in the log. Queued and sending are internal: queued means the policy
// said send and delivery is pending; sending means the provider is being called. A row found in
// sending after a crash is never sent again (at most once per decision): it becomes unknown,
// as does a send whose provider fell silent after taking the whole message. Only the merchant
// can send an unknown decision again (RetryDecision).
const (
	DecisionQueued   = "queued"
	DecisionSending  = "sending"
	DecisionSent     = "sent"
	DecisionUnknown  = "unknown"
	DecisionDeferred = "deferred"
	DecisionHeld     = "held"
	DecisionSkipped  = "skipped"
	DecisionFailed   = "failed"
)

// MessageDecision is one row of the decision log: what was decided for one message or
// campaign, one customer and one trigger entity, and why.
type MessageDecision struct {
	ID         int64           `json:"id"`
	ShopID     int64           `json:"-"`
	MessageID  int64           `json:"message_id"`
	CampaignID int64           `json:"campaign_id"`
	CustomerID int64           `json:"customer_id"`
	EventID    *int64          `json:"event_id,omitempty"`
	Trigger    string          `json:"trigger"`
	EntityKey  string          `json:"entity_key"`
	DedupeKey  string          `json:"-"`
	Kind       string          `json:"kind"`
	Channel    string          `json:"channel"`
	Decision   string          `json:"decision"`
	Reason     string          `json:"reason"`
	Detail     string          `json:"detail,omitempty"`
	NotBefore  time.Time       `json:"not_before"`
	DueAt      *time.Time      `json:"due_at,omitempty"`
	Attempts   int             `json:"attempts"`
	ProviderID string          `json:"provider_id,omitempty"`
	Payload    json.RawMessage `json:"-" gorm:"type:jsonb"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	SentAt     *time.Time      `json:"sent_at"`
}

// stateFor maps the engine's action to the stored state.
func stateFor(d Decision) string {
	switch d.Action {
	case ActSend:
		return DecisionQueued
	case ActDefer:
		return DecisionDeferred
	case ActHold:
		return DecisionHeld
	}
	return DecisionSkipped
}

// Apply sets the row's state from an engine decision.
func (md *MessageDecision) Apply(d Decision) {
	md.Decision, md.Reason, md.DueAt = stateFor(d), d.Reason, nil
	if d.Action == ActDefer {
		u := d.Until.UTC()
		md.DueAt = &u
	}
}

// RecordDecision stores a decision once per (message or campaign, customer, entity key);
// created is false when that trigger was already answered (the stored row is left alone).
func RecordDecision(ctx context.Context, db *gorm.DB, md *MessageDecision) (created bool, err error) {
	if md.ShopID == 0 || md.CustomerID == 0 || md.EntityKey == "" {
		return false, fmt.Errorf("record decision: shop, customer and entity are required")
	}
	if md.DedupeKey == "" {
		md.DedupeKey = md.EntityKey
	}
	if len(md.Payload) == 0 {
		md.Payload = json.RawMessage("{}")
	}
	res := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(md)
	if res.Error != nil {
		return false, fmt.Errorf("record decision for customer %d: %w", md.CustomerID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// RecordDecisions stores a batch of decisions in one statement (a campaign page), each once
// per (message or campaign, customer, entity key), and returns the rows that were new, with
// their ids. Rows already answered are left out.
func RecordDecisions(ctx context.Context, db *gorm.DB, rows []*MessageDecision) ([]*MessageDecision, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	const cols = 15
	var sb strings.Builder
	sb.WriteString(`INSERT INTO message_decisions (shop_id, message_id, campaign_id, customer_id, event_id, trigger, entity_key,
		dedupe_key, kind, channel, decision, reason, not_before, due_at, payload) VALUES `)
	args := make([]any, 0, len(rows)*cols)
	byKey := make(map[string]*MessageDecision, len(rows))
	for i, md := range rows {
		if md.ShopID == 0 || md.CustomerID == 0 || md.EntityKey == "" {
			return nil, fmt.Errorf("record decisions: shop, customer and entity are required")
		}
		if md.DedupeKey == "" {
			md.DedupeKey = md.EntityKey
		}
		if len(md.Payload) == 0 {
			md.Payload = json.RawMessage("{}")
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, md.ShopID, md.MessageID, md.CampaignID, md.CustomerID, md.EventID, md.Trigger, md.EntityKey,
			md.DedupeKey, md.Kind, md.Channel, md.Decision, md.Reason, md.NotBefore, md.DueAt, string(md.Payload))
		byKey[decisionKey(md.MessageID, md.CampaignID, md.CustomerID, md.EntityKey)] = md
	}
	sb.WriteString(` ON CONFLICT (shop_id, message_id, campaign_id, customer_id, entity_key) DO NOTHING
		RETURNING id, message_id, campaign_id, customer_id, entity_key, created_at`)
	var got []struct {
		ID, MessageID, CampaignID, CustomerID int64
		EntityKey                             string
		CreatedAt                             time.Time
	}
	if err := db.WithContext(ctx).Raw(sb.String(), args...).Find(&got).Error; err != nil {
		return nil, fmt.Errorf("record %d decisions: %w", len(rows), err)
	}
	out := make([]*MessageDecision, 0, len(got))
	for _, g := range got {
		if md := byKey[decisionKey(g.MessageID, g.CampaignID, g.CustomerID, g.EntityKey)]; md != nil {
			md.ID, md.CreatedAt, md.UpdatedAt = g.ID, g.CreatedAt, g.CreatedAt
			out = append(out, md)
		}
	}
	return out, nil
}

func decisionKey(message, campaign, customer int64, entity string) string {
	return fmt.Sprintf("%d|%d|%d|%s", message, campaign, customer, entity)
}

// GetDecision loads one decision.
func GetDecision(ctx context.Context, db *gorm.DB, shopID, id int64) (*MessageDecision, error) {
	return models.FindOne[MessageDecision](ctx, db, shopID, "decision", "id", id)
}

// AlreadyAnswered reports whether another decision of the same message or campaign for the
// same customer and dedupe key was sent or is on its way (the "same trigger, same entity" rule
// for events that describe one entity under several keys, e.g. a contract cancelled twice).
func AlreadyAnswered(ctx context.Context, db *gorm.DB, md *MessageDecision) (bool, error) {
	if md.DedupeKey == "" || md.DedupeKey == md.EntityKey {
		return false, nil
	}
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM message_decisions WHERE shop_id = ? AND customer_id = ?
		AND message_id = ? AND campaign_id = ? AND dedupe_key = ? AND entity_key <> ?
		AND decision IN ('queued', 'sending', 'sent', 'unknown', 'deferred')`,
		md.ShopID, md.CustomerID, md.MessageID, md.CampaignID, md.DedupeKey, md.EntityKey).Scan(&n).Error
	return n > 0, err
}

// lockCustomer serializes sends to one customer, so the frequency cap holds under concurrency.
func lockCustomer(tx *gorm.DB, shopID, customerID int64) error {
	return tx.Exec(`SELECT pg_advisory_xact_lock(3031, hashtext(?))`, fmt.Sprintf("%d:%d", shopID, customerID)).Error
}

// Claim is what ClaimSend found and did.
type Claim struct {
	Decision *MessageDecision // the row as it now stands
	Send     bool             // the caller must deliver it now
	Customer *models.Customer // the recipient, when the policy was applied
	// Uninstalled: the row was claimable but the shop is no longer installed; nothing may be
	// sent in its name, and the caller settles the row as skipped.
	Uninstalled bool
}

// shopStillInstalled is the condition every claim's update carries: a claim committed after
// the uninstall's transaction sees the new status and claims nothing.
const shopStillInstalled = `EXISTS (SELECT 1 FROM shops WHERE shops.id = message_decisions.shop_id AND shops.status = 'installed')`

// skipPendingDecisions settles every queued or scheduled decision of a shop that left.
func skipPendingDecisions(tx *gorm.DB, shopID int64) error {
	return tx.Exec(`UPDATE message_decisions SET decision = ?, reason = ?, detail = ?, due_at = NULL, updated_at = now()
		WHERE shop_id = ? AND decision IN ?`, DecisionSkipped, ReasonShopUninstalled,
		"the shop uninstalled Boomerang before it was sent", shopID, []string{DecisionQueued, DecisionDeferred}).Error
}

// ClaimSend decides a queued or due deferred decision again, with fresh facts, and moves it
// to sending when the answer is send. Rows in any other state, or deferred rows not yet due,
// are returned unchanged with Send false.
func ClaimSend(ctx context.Context, db *gorm.DB, shopID, id int64, cand Candidate, s PolicySettings, now time.Time) (Claim, error) {
	md, err := GetDecision(ctx, db, shopID, id)
	if err != nil {
		return Claim{}, err
	}
	return ClaimDecision(ctx, db, md, cand, s, now)
}

// ClaimDecision is ClaimSend for a row the caller has just read. Promotional candidates are
// decided inside a transaction holding the customer's lock, so concurrent deliveries can never
// exceed the frequency cap together. Transactional ones are not capped or held: they are
// decided on fresh facts and claimed with one conditional update, which only one concurrent
// claimer can win.
func ClaimDecision(ctx context.Context, db *gorm.DB, md *MessageDecision, cand Candidate, s PolicySettings, now time.Time) (Claim, error) {
	if claimable(md, now) {
		if skipped, err := supersede(ctx, db, md, s); err != nil || skipped {
			if err != nil {
				return Claim{}, err
			}
			cur, err := GetDecision(ctx, db, md.ShopID, md.ID)
			return Claim{Decision: cur}, err
		}
	}
	if cand.Kind == KindTransactional {
		return claimTransactional(ctx, db, md, cand, s, now)
	}
	var c Claim
	shopID, id := md.ShopID, md.ID
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Row lock first, then the customer's lock: two decisions of one customer lock different
		// rows, so the order cannot deadlock, and the facts below are read after the previous
		// holder of the customer's lock committed.
		var row MessageDecision
		if err := tx.Scopes(models.ShopScope(shopID)).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).First(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.NotFound("decision")
			}
			return err
		}
		c.Decision = &row
		if !claimable(&row, now) {
			return nil
		}
		if err := lockCustomer(tx, shopID, row.CustomerID); err != nil {
			return err
		}
		facts, err := LoadFactsFor(ctx, tx, shopID, []int64{row.CustomerID}, s.CapWindow, now, true)
		if err != nil {
			return err
		}
		var updates map[string]any
		if c.Customer, updates, err = decideRow(ctx, tx, &row, facts, cand, s, now); err != nil {
			return err
		}
		c.Send = row.Decision == DecisionSending
		res := tx.Model(&MessageDecision{}).Scopes(models.ShopScope(shopID)).Where("id = ?", id).Where(shopStillInstalled).Updates(updates)
		if res.Error == nil && res.RowsAffected == 0 {
			c.Send, c.Uninstalled = false, true
		}
		return res.Error
	})
	if err != nil {
		return Claim{}, fmt.Errorf("claim decision %d: %w", id, err)
	}
	return c, nil
}

func claimable(row *MessageDecision, now time.Time) bool {
	if row.Decision != DecisionQueued && row.Decision != DecisionDeferred {
		return false
	}
	return row.Decision != DecisionDeferred || row.DueAt == nil || !row.DueAt.After(now)
}

// decideRow applies the policy to a row and returns the customer and the columns to update.
func decideRow(ctx context.Context, db *gorm.DB, row *MessageDecision, facts FactsBatch, cand Candidate, s PolicySettings, now time.Time) (*models.Customer, map[string]any, error) {
	var cust *models.Customer
	if cf := facts[row.CustomerID]; cf != nil {
		cust = cf.Customer
	}
	pf := facts.For(row.CustomerID, row.Channel)
	var err error
	if pf.Duplicate, err = AlreadyAnswered(ctx, db, row); err != nil {
		return nil, nil, err
	}
	d := Decide(cand, pf, s, now)
	row.Apply(d)
	updates := map[string]any{"decision": row.Decision, "reason": row.Reason, "due_at": row.DueAt, "updated_at": now}
	if d.Action == ActSend {
		row.Decision = DecisionSending
		row.SentAt = &now
		row.Attempts++
		updates["decision"], updates["sent_at"], updates["attempts"] = DecisionSending, now, row.Attempts
	}
	row.UpdatedAt = now
	return cust, updates, nil
}

func claimTransactional(ctx context.Context, db *gorm.DB, md *MessageDecision, cand Candidate, s PolicySettings, now time.Time) (Claim, error) {
	row := *md
	c := Claim{Decision: &row}
	if !claimable(&row, now) {
		return c, nil
	}
	observed := row.Decision
	facts, err := LoadFactsFor(ctx, db, row.ShopID, []int64{row.CustomerID}, s.CapWindow, now, false)
	if err != nil {
		return Claim{}, err
	}
	var updates map[string]any
	if c.Customer, updates, err = decideRow(ctx, db, &row, facts, cand, s, now); err != nil {
		return Claim{}, err
	}
	res := models.Scoped(ctx, db, row.ShopID).Model(&MessageDecision{}).Where("id = ? AND decision = ?", row.ID, observed).
		Where(shopStillInstalled).Updates(updates)
	if res.Error != nil {
		return Claim{}, fmt.Errorf("claim decision %d: %w", row.ID, res.Error)
	}
	if res.RowsAffected == 0 { // another delivery got there first, or the shop left: report the row as it is
		cur, err := GetDecision(ctx, db, row.ShopID, row.ID)
		if err != nil {
			return Claim{}, err
		}
		return Claim{Decision: cur, Uninstalled: claimable(cur, now)}, nil
	}
	c.Send = row.Decision == DecisionSending
	return c, nil
}

// MarkDecisionSent records the provider's acceptance.
func MarkDecisionSent(ctx context.Context, db *gorm.DB, shopID, id int64, providerID string, at time.Time) error {
	return models.Scoped(ctx, db, shopID).Model(&MessageDecision{}).Where("id = ? AND decision = ?", id, DecisionSending).
		Updates(map[string]any{"decision": DecisionSent, "provider_id": providerID, "sent_at": at, "reason": "",
			"detail": "", "updated_at": time.Now()}).Error
}

// MarkDecisionRetry returns a sending decision to the queue after a temporary provider error.
func MarkDecisionRetry(ctx context.Context, db *gorm.DB, shopID, id int64, detail string) error {
	return models.Scoped(ctx, db, shopID).Model(&MessageDecision{}).Where("id = ? AND decision = ?", id, DecisionSending).
		Updates(map[string]any{"decision": DecisionQueued, "sent_at": nil, "detail": models.Truncate(detail, 500),
			"updated_at": time.Now()}).Error
}

// MarkDecisionFailed records a delivery that will not happen, with the reason and the provider's words.
func MarkDecisionFailed(ctx context.Context, db *gorm.DB, shopID, id int64, reason, detail string) error {
	return models.Scoped(ctx, db, shopID).Model(&MessageDecision{}).Where("id = ? AND decision IN ?", id,
		[]string{DecisionQueued, DecisionSending, DecisionDeferred}).
		Updates(map[string]any{"decision": DecisionFailed, "reason": reason, "detail": models.Truncate(detail, 500),
			"sent_at": nil, "updated_at": time.Now()}).Error
}

// MarkDecisionUnknown records a send whose outcome cannot be known: the provider may have
// accepted it (a timeout after the whole message was handed over, a crash mid-send). It is not
// re-sent automatically; the merchant sees it in the activity log and may retry it by hand.
func MarkDecisionUnknown(ctx context.Context, db *gorm.DB, shopID, id int64, reason, detail string) error {
	return models.Scoped(ctx, db, shopID).Model(&MessageDecision{}).Where("id = ? AND decision = ?", id, DecisionSending).
		Updates(map[string]any{"decision": DecisionUnknown, "reason": reason, "detail": models.Truncate(detail, 500),
			"updated_at": time.Now()}).Error
}

// RetryDecision is the merchant's hand on a message whose outcome was unknown or whose provider
// failed: the decision goes back to queued, to be decided again on fresh facts (a hold placed
// since still holds it) and sent. Any other state is a conflict.
func RetryDecision(ctx context.Context, db *gorm.DB, shopID, id int64) (*MessageDecision, error) {
	res := models.Scoped(ctx, db, shopID).Model(&MessageDecision{}).
		Where("id = ? AND (decision = ? OR (decision = ? AND reason IN ?))", id, DecisionUnknown, DecisionFailed,
			[]string{ReasonProviderError, ReasonInterrupted}).
		Where(shopStillInstalled).
		Updates(map[string]any{"decision": DecisionQueued, "reason": "", "due_at": nil, "sent_at": nil,
			"detail": "retried by the merchant", "updated_at": time.Now()})
	if res.Error != nil {
		return nil, fmt.Errorf("retry decision %d: %w", id, res.Error)
	}
	md, err := GetDecision(ctx, db, shopID, id)
	if err != nil {
		return nil, err
	}
	if res.RowsAffected == 0 {
		return nil, models.Conflict("only a message whose outcome is unknown or whose provider failed can be retried")
	}
	return md, nil
}

// MarkDecisionSkipped settles a pending decision that will not be sent for a reason outside
// the policy (its message was switched off).
func MarkDecisionSkipped(ctx context.Context, db *gorm.DB, shopID, id int64, reason, detail string) error {
	return models.Scoped(ctx, db, shopID).Model(&MessageDecision{}).Where("id = ? AND decision IN ?", id,
		[]string{DecisionQueued, DecisionDeferred}).
		Updates(map[string]any{"decision": DecisionSkipped, "reason": reason, "detail": models.Truncate(detail, 500),
			"due_at": nil, "updated_at": time.Now()}).Error
}

// CustomerDecisions lists a customer's decisions, newest first.
func CustomerDecisions(ctx context.Context, db *gorm.DB, shopID, customerID int64, limit int) ([]MessageDecision, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	var out []MessageDecision
	err := models.Scoped(ctx, db, shopID).Where("customer_id = ?", customerID).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// DecisionFilter narrows ListDecisions.
type DecisionFilter struct {
	Decision   string
	Reason     string
	CustomerID int64
	CampaignID int64
	MessageID  int64
	Before     int64 // cursor: ids below this
	Limit      int
}

// ListDecisions pages through a shop's decision log, newest first (the activity page), and
// returns the next page's cursor (0 on the last page).
func ListDecisions(ctx context.Context, db *gorm.DB, shopID int64, f DecisionFilter) ([]MessageDecision, int64, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := models.Scoped(ctx, db, shopID)
	if f.Decision != "" {
		q = q.Where("decision = ?", f.Decision)
	}
	if f.Reason != "" {
		q = q.Where("reason = ?", f.Reason)
	}
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if f.CampaignID != 0 {
		q = q.Where("campaign_id = ?", f.CampaignID)
	}
	if f.MessageID != 0 {
		q = q.Where("message_id = ?", f.MessageID)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var out []MessageDecision
	// One row more than the page tells whether another page exists.
	if err := q.Order("id DESC").Limit(f.Limit + 1).Find(&out).Error; err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[f.Limit-1].ID
	}
	return out, next, nil
}

// DecisionTotals counts decisions by state and by reason (for held, skipped, deferred and
// failed ones), as campaign results and the scorecard show them.
type DecisionTotals struct {
	ByDecision map[string]int `json:"decisions"`
	ByReason   map[string]int `json:"by_reason"`
}

// CountDecisions totals a shop's decisions created in [from, to), optionally for one campaign.
func CountDecisions(ctx context.Context, db *gorm.DB, shopID, campaignID int64, from, to time.Time) (DecisionTotals, error) {
	t := DecisionTotals{ByDecision: map[string]int{}, ByReason: map[string]int{}}
	var rows []struct {
		Decision, Reason string
		N                int
	}
	err := db.WithContext(ctx).Raw(`SELECT decision, reason, count(*) AS n FROM message_decisions
		WHERE shop_id = ? AND (?::bigint = 0 OR campaign_id = ?) AND created_at >= ? AND created_at < ?
		GROUP BY decision, reason`, shopID, campaignID, campaignID, from, to).Scan(&rows).Error
	if err != nil {
		return t, fmt.Errorf("count decisions: %w", err)
	}
	for _, r := range rows {
		t.ByDecision[r.Decision] += r.N
		if r.Reason != "" && r.Decision != DecisionSent {
			t.ByReason[r.Reason] += r.N
		}
	}
	return t, nil
}

// DueDecision names a decision the delivery task should look at again.
type DueDecision struct {
	ShopID int64
	ID     int64
	DueAt  *time.Time
}

// DueDecisions finds, across shops, deferred decisions that came due and queued or sending
// ones whose delivery task seems lost (unchanged for `stale`): the sweeper re-enqueues them.
func DueDecisions(ctx context.Context, db *gorm.DB, now time.Time, stale time.Duration, limit int) ([]DueDecision, error) {
	var out []DueDecision
	err := db.WithContext(models.AllShops(ctx)).Raw(`(SELECT shop_id, id, due_at FROM message_decisions
			WHERE decision = 'deferred' AND due_at <= ? ORDER BY due_at LIMIT ?)
		UNION ALL
		(SELECT shop_id, id, due_at FROM message_decisions
			WHERE decision IN ('queued', 'sending') AND updated_at < ? ORDER BY id LIMIT ?)`,
		now, limit, now.Add(-stale), limit).Scan(&out).Error
	return out, err
}

func init() {
	models.RegisterExporter("messages", func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error) {
		return CustomerDecisions(ctx, tx, shopID, customerID, 500)
	})
	models.RegisterShopLeaver(skipPendingDecisions)
	models.RegisterRedactor(func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) error {
		// The log keeps what was decided and why; the copy of the trigger's data goes.
		return tx.Exec(`UPDATE message_decisions SET payload = '{}', detail = '' WHERE shop_id = ? AND customer_id = ?`,
			shopID, customerID).Error
	})
}
