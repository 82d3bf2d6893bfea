package insights

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/loyalty"
	"github.com/boomerang-app/boomerang/models/messaging"
)

// Timeline event kinds (the admin page badges them).
const (
	TimelineOrder        = "order" // orders, cancellations and refunds
	TimelinePoints       = "points"
	TimelineReview       = "review"
	TimelineSubscription = "subscription"
	TimelineCase         = "case"
	TimelineMessage      = "message"
)

// MaxTimeline bounds a customer's timeline.
const MaxTimeline = 200

// TimelineEvent is one line of a customer's history. Decision and Reason are set for
// message decisions only.
type TimelineEvent struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	Title    string    `json:"title"`
	Detail   string    `json:"detail"`
	Decision string    `json:"decision,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	// Code and Args say what happened as data (the admin words it in the merchant's language);
	// Title and Detail are the same in English.
	Code string         `json:"code"`
	Args map[string]any `json:"args,omitempty"`
}

// CustomerTimeline merges everything the shop knows happened to one customer (orders,
// refunds, points, reviews, cases, subscriptions and every message decision) newest first,
// at most limit events (MaxTimeline when 0 or more). Each source is read newest first and
// cut at limit, so the merge never loads more than limit rows per source.
func CustomerTimeline(ctx context.Context, db *gorm.DB, shopID, customerID int64, limit int) ([]TimelineEvent, error) {
	if limit <= 0 || limit > MaxTimeline {
		limit = MaxTimeline
	}
	if _, err := models.GetCustomer(ctx, db, shopID, customerID); err != nil {
		return nil, err
	}
	t := timeline{db: db.WithContext(ctx), shop: shopID, customer: customerID, limit: limit}
	for _, src := range []struct {
		name string
		fn   func() error
	}{
		{"orders", t.orders}, {"refunds", t.refunds}, {"points", t.points}, {"reviews", t.reviews},
		{"cases", t.cases}, {"subscriptions", t.subscriptions}, {"messages", t.messages},
	} {
		if err := src.fn(); err != nil {
			return nil, fmt.Errorf("timeline of customer %d: %s: %w", customerID, src.name, err)
		}
	}
	sort.SliceStable(t.events, func(i, j int) bool { return t.events[i].At.After(t.events[j].At) })
	if len(t.events) > limit {
		t.events = t.events[:limit]
	}
	return t.events, nil
}

type timeline struct {
	db       *gorm.DB
	shop     int64
	customer int64
	limit    int
	events   []TimelineEvent
}

func (t *timeline) add(e TimelineEvent) {
	e.At = e.At.UTC()
	t.events = append(t.events, e)
}

func orderLabel(name string, orderID int64) string {
	return "order " + orderRef(name, orderID)
}

func orderRef(name string, orderID int64) string {
	if name != "" {
		return name
	}
	return strconv.FormatInt(orderID, 10)
}

func (t *timeline) orders() error {
	var rows []struct {
		OrderID      int64
		Name         string
		Currency     string
		Subtotal     decimal.Decimal
		Test         bool
		CancelReason string
		CancelledAt  *time.Time
		At           time.Time
	}
	err := t.db.Raw(`SELECT order_id, name, currency, subtotal, test, cancel_reason, cancelled_at,
			COALESCE(processed_at, shopify_created_at, created_at) AS at
		FROM orders WHERE shop_id = ? AND customer_id = ?
		ORDER BY COALESCE(processed_at, shopify_created_at, created_at) DESC LIMIT ?`,
		t.shop, t.customer, t.limit).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, o := range rows {
		detail := models.MoneyText(o.Subtotal, o.Currency)
		if o.Test {
			detail += " · test order"
		}
		ref := orderRef(o.Name, o.OrderID)
		t.add(TimelineEvent{At: o.At, Kind: TimelineOrder, Title: "Placed " + orderLabel(o.Name, o.OrderID), Detail: detail,
			Code: "order_placed", Args: map[string]any{"order": ref, "amount": o.Subtotal, "currency": o.Currency, "test": o.Test}})
		if o.CancelledAt != nil {
			t.add(TimelineEvent{At: *o.CancelledAt, Kind: TimelineOrder, Title: "Cancelled " + orderLabel(o.Name, o.OrderID),
				Detail: o.CancelReason, Code: "order_cancelled", Args: map[string]any{"order": ref, "reason": o.CancelReason}})
		}
	}
	return nil
}

func (t *timeline) refunds() error {
	var rows []struct {
		OrderID  int64
		Name     string
		Currency string
		Subtotal decimal.Decimal
		Note     string
		At       time.Time
	}
	err := t.db.Raw(`SELECT r.order_id, o.name, o.currency, r.subtotal, r.note, COALESCE(r.shopify_created_at, r.created_at) AS at
		FROM refunds r JOIN orders o ON o.shop_id = r.shop_id AND o.order_id = r.order_id
		WHERE r.shop_id = ? AND o.customer_id = ?
		ORDER BY COALESCE(r.shopify_created_at, r.created_at) DESC LIMIT ?`, t.shop, t.customer, t.limit).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, r := range rows {
		detail := models.MoneyText(r.Subtotal, r.Currency) + " refunded"
		if r.Note != "" {
			detail += " · " + r.Note
		}
		t.add(TimelineEvent{At: r.At, Kind: TimelineOrder, Title: "Refund on " + orderLabel(r.Name, r.OrderID), Detail: detail,
			Code: "refund", Args: map[string]any{"order": orderRef(r.Name, r.OrderID), "amount": r.Subtotal, "currency": r.Currency, "note": r.Note}})
	}
	return nil
}

var entryVerb = map[string]string{
	loyalty.EntryEarn: "earned", loyalty.EntryBonus: "bonus", loyalty.EntryRedeem: "redeemed", loyalty.EntryClawback: "clawed back",
	loyalty.EntryReversal: "reversed", loyalty.EntryExpire: "expired", loyalty.EntryAdjust: "adjusted",
}

func (t *timeline) points() error {
	var rows []struct {
		Kind         string
		Points       int64
		BalanceAfter int64
		Reason       string
		OccurredAt   time.Time
	}
	// When the points were earned or spent (an imported order's date), not when Boomerang booked
	// them; entries of the same moment keep their booking order, so the balances read in order.
	err := t.db.Raw(`SELECT kind, points, balance_after, reason, occurred_at FROM ledger_entries
		WHERE shop_id = ? AND customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?`, t.shop, t.customer, t.limit).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, e := range rows {
		title := fmt.Sprintf("%+d points %s", e.Points, entryVerb[e.Kind])
		detail := "balance " + strconv.FormatInt(e.BalanceAfter, 10)
		if e.Reason != "" {
			detail = e.Reason + " · " + detail
		}
		t.add(TimelineEvent{At: e.OccurredAt, Kind: TimelinePoints, Title: strings.TrimSpace(title), Detail: detail,
			Code: "points", Args: map[string]any{"kind": e.Kind, "points": e.Points, "balance": e.BalanceAfter, "reason": e.Reason}})
	}
	return nil
}

func (t *timeline) reviews() error {
	var rows []struct {
		Rating         int
		Title          string
		Status         string
		SentimentLabel *string
		SentimentScore *float64
		CreatedAt      time.Time
	}
	err := t.db.Raw(`SELECT rating, title, status, sentiment_label, sentiment_score, created_at FROM reviews
		WHERE shop_id = ? AND customer_id = ? ORDER BY created_at DESC LIMIT ?`, t.shop, t.customer, t.limit).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, r := range rows {
		title := fmt.Sprintf("%d-star review", r.Rating)
		if r.Title != "" {
			title += ": " + r.Title
		}
		detail := r.Status
		args := map[string]any{"rating": r.Rating, "title": r.Title, "status": r.Status}
		if r.SentimentLabel != nil && r.SentimentScore != nil {
			detail = fmt.Sprintf("%s · sentiment %s (%.2f)", r.Status, *r.SentimentLabel, *r.SentimentScore)
			args["sentiment"], args["score"] = *r.SentimentLabel, *r.SentimentScore
		}
		t.add(TimelineEvent{At: r.CreatedAt, Kind: TimelineReview, Title: title, Detail: detail, Code: "review", Args: args})
	}
	return nil
}

func (t *timeline) cases() error {
	var rows []struct {
		ID         int64
		ReviewID   int64
		Note       string
		OpenedAt   time.Time
		ResolvedAt *time.Time
	}
	err := t.db.Raw(`SELECT id, review_id, note, opened_at, resolved_at FROM cases
		WHERE shop_id = ? AND customer_id = ? ORDER BY opened_at DESC LIMIT ?`, t.shop, t.customer, t.limit).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, c := range rows {
		t.add(TimelineEvent{At: c.OpenedAt, Kind: TimelineCase, Title: fmt.Sprintf("Case %d opened", c.ID),
			Detail: fmt.Sprintf("after review %d", c.ReviewID), Code: "case_opened", Args: map[string]any{"case": c.ID, "review": c.ReviewID}})
		if c.ResolvedAt != nil {
			t.add(TimelineEvent{At: *c.ResolvedAt, Kind: TimelineCase, Title: fmt.Sprintf("Case %d resolved", c.ID), Detail: c.Note,
				Code: "case_resolved", Args: map[string]any{"case": c.ID, "note": c.Note}})
		}
	}
	return nil
}

func (t *timeline) subscriptions() error {
	var rows []struct {
		ContractID int64
		Topic      string
		Status     string
		Reason     string
		At         time.Time
	}
	// Every applied status report, plus the start of contracts known without one (imported).
	err := t.db.Raw(`(SELECT contract_id, topic, status, reason, occurred_at AS at FROM subscription_status_history
			WHERE shop_id = ? AND customer_id = ? AND applied ORDER BY occurred_at DESC LIMIT ?)
		UNION ALL
		(SELECT c.contract_id, 'subscription_contracts/create', c.status, '', c.started_at FROM subscription_contracts c
			WHERE c.shop_id = ? AND c.customer_id = ? AND NOT EXISTS (SELECT 1 FROM subscription_status_history h
				WHERE h.shop_id = c.shop_id AND h.contract_id = c.contract_id)
			ORDER BY c.started_at DESC LIMIT ?)`,
		t.shop, t.customer, t.limit, t.shop, t.customer, t.limit).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, s := range rows {
		title, code := "Subscription "+s.Status, "subscription"
		if strings.HasSuffix(s.Topic, "/create") {
			title, code = "Subscription started", "subscription_started"
		}
		detail := "contract " + strconv.FormatInt(s.ContractID, 10)
		if s.Reason != "" {
			detail += " · " + s.Reason
		}
		t.add(TimelineEvent{At: s.At, Kind: TimelineSubscription, Title: title, Detail: detail,
			Code: code, Args: map[string]any{"status": s.Status, "contract": s.ContractID, "reason": s.Reason}})
	}
	return nil
}

func (t *timeline) messages() error {
	var rows []struct {
		Trigger      string
		Channel      string
		Decision     string
		Reason       string
		MessageName  *string
		CampaignName *string
		At           time.Time
	}
	err := t.db.Raw(`SELECT d.trigger, d.channel, d.decision, d.reason, m.name AS message_name, c.name AS campaign_name,
			COALESCE(d.sent_at, d.created_at) AS at
		FROM message_decisions d
		LEFT JOIN messages m ON m.shop_id = d.shop_id AND m.id = d.message_id AND d.message_id <> 0
		LEFT JOIN campaigns c ON c.shop_id = d.shop_id AND c.id = d.campaign_id AND d.campaign_id <> 0
		WHERE d.shop_id = ? AND d.customer_id = ? ORDER BY d.id DESC LIMIT ?`, t.shop, t.customer, t.limit).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, d := range rows {
		args := map[string]any{"trigger": d.Trigger, "channel": d.Channel}
		if d.MessageName != nil {
			args["message_name"] = *d.MessageName
		} else if d.CampaignName != nil {
			args["campaign_name"] = *d.CampaignName
		}
		t.add(TimelineEvent{At: d.At, Kind: TimelineMessage, Title: messaging.DecisionTitle(d.Trigger, d.MessageName, d.CampaignName),
			Detail: d.Channel, Decision: d.Decision, Reason: d.Reason, Code: "message", Args: args})
	}
	return nil
}
