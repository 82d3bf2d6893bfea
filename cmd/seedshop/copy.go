package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

func money(cents int64) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(cents), Exp: -2, Valid: true}
}

var firstNames = []string{"Naomi", "Chrissy", "Marshall", "Ada", "Lin", "Omar", "Priya", "Jonas", "Zoe", "Mateo", "Hana", "Kofi"}
var lastNames = []string{"Okafor", "Lee", "Mathers", "Lovelace", "Chen", "Haddad", "Patel", "Berg", "Adams", "Silva", "Sato", "Mensah"}

// copyTable streams n rows produced by row(i) into table with COPY. Secondary indexes are
// dropped first and built again after: one sorted build is far faster than a million random
// inserts. Unique indexes stay, so the data is checked as the app would check it.
func copyTable(ctx context.Context, conn *pgx.Conn, table string, cols []string, n int, row func(i int) []any) (err error) {
	start := time.Now()
	rows, err := conn.Query(ctx, `SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = $1::regclass AND NOT i.indisunique AND NOT i.indisprimary`, table)
	if err != nil {
		return fmt.Errorf("indexes of %s: %w", table, err)
	}
	type index struct{ Name, Def string }
	idx, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return fmt.Errorf("indexes of %s: %w", table, err)
	}
	for _, x := range idx {
		if _, err := conn.Exec(ctx, `DROP INDEX `+pgx.Identifier{x.Name}.Sanitize()); err != nil {
			return fmt.Errorf("drop index %s: %w", x.Name, err)
		}
	}
	defer func() {
		t := time.Now()
		for _, x := range idx {
			if _, e := conn.Exec(context.WithoutCancel(ctx), x.Def); e != nil && err == nil {
				err = fmt.Errorf("rebuild index %s: %w", x.Name, e)
			}
		}
		if len(idx) > 0 {
			slog.Info("indexes rebuilt", "table", table, "indexes", len(idx), "took", time.Since(t).Round(time.Millisecond))
		}
	}()
	i := 0
	got, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if i >= n {
			return nil, nil
		}
		r := row(i)
		i++
		return r, nil
	}))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	slog.Info("copied", "table", table, "rows", got, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (g *generator) copyAll(ctx context.Context, conn *pgx.Conn) error {
	shop := g.shopID
	cust := func(i int32) int64 { return g.customers[i].id }
	err := copyTable(ctx, conn, "customers", []string{"shop_id", "customer_id", "email", "first_name", "last_name", "state",
		"email_consent", "sms_consent", "stage", "orders_count", "total_spent", "first_order_at", "last_order_at", "created_at", "updated_at"},
		len(g.customers), func(i int) []any {
			c := &g.customers[i]
			consent := "subscribed"
			if i%10 < 3 {
				consent = "not_subscribed"
			}
			return []any{shop, c.id, fmt.Sprintf("c%d@example.test", i), firstNames[i%len(firstNames)], lastNames[(i/7)%len(lastNames)],
				"enabled", consent, "not_subscribed", c.stage, c.kept, money(c.spent), c.first, c.last, c.acq, c.acq}
		})
	if err != nil {
		return err
	}
	err = copyTable(ctx, conn, "orders", []string{"shop_id", "order_id", "customer_id", "name", "email", "currency", "subtotal",
		"total", "financial_status", "test", "cancel_reason", "cancelled_at", "paid_at", "processed_at", "shopify_created_at",
		"shopify_updated_at", "created_at", "updated_at"},
		len(g.orders), func(i int) []any {
			o := &g.orders[i]
			var cancelled *time.Time
			reason, status := "", "paid"
			if o.cancelled {
				t := o.at.Add(2 * time.Hour)
				cancelled, reason, status = &t, "customer", "voided"
			} else if o.refundCents == o.cents {
				status = "refunded"
			} else if o.refundCents > 0 {
				status = "partially_refunded"
			}
			return []any{shop, o.id, cust(o.cust), fmt.Sprintf("#%d", 1001+i), fmt.Sprintf("c%d@example.test", o.cust), "USD",
				money(o.cents), money(o.cents * 11 / 10), status, o.test, reason, cancelled, o.at, o.at, o.at, o.at, o.at, o.at}
		})
	if err != nil {
		return err
	}
	var refunds []*genOrder
	for i := range g.orders {
		if g.orders[i].refundID != 0 {
			refunds = append(refunds, &g.orders[i])
		}
	}
	err = copyTable(ctx, conn, "refunds", []string{"shop_id", "refund_id", "order_id", "subtotal", "note", "shopify_created_at", "created_at"},
		len(refunds), func(i int) []any {
			o := refunds[i]
			at := o.at.Add(72 * time.Hour)
			return []any{shop, o.refundID, o.id, money(o.refundCents), "", at, at}
		})
	if err != nil {
		return err
	}
	if err := g.copyLoyalty(ctx, conn); err != nil {
		return err
	}
	if err := g.copyReviews(ctx, conn); err != nil {
		return err
	}
	if err := g.copyContracts(ctx, conn); err != nil {
		return err
	}
	return copyTable(ctx, conn, "message_decisions", []string{"shop_id", "message_id", "customer_id", "trigger", "entity_key",
		"dedupe_key", "kind", "channel", "decision", "reason", "not_before", "attempts", "provider_id", "created_at", "updated_at", "sent_at"},
		len(g.decisions), func(i int) []any {
			d := &g.decisions[i]
			var sent *time.Time
			provider, attempts := "", 0
			if d.decision == "sent" {
				t := d.at.Add(time.Minute)
				sent, provider, attempts = &t, fmt.Sprintf("seed-%d", i), 1
			}
			return []any{shop, d.message, cust(d.cust), d.trigger, d.entity, d.trigger + ":" + d.entity, d.kind, "email",
				d.decision, d.reason, d.at, attempts, provider, d.at, d.at, sent}
		})
}

func (g *generator) copyLoyalty(ctx context.Context, conn *pgx.Conn) error {
	shop := g.shopID
	err := copyTable(ctx, conn, "loyalty_accounts", []string{"shop_id", "customer_id", "balance", "tier", "tier_since",
		"last_activity_at", "created_at", "updated_at"},
		len(g.customers), func(i int) []any {
			c := &g.customers[i]
			return []any{shop, c.id, c.bal, c.tier, c.acq, c.active, c.acq, c.acq}
		})
	if err != nil {
		return err
	}
	err = copyTable(ctx, conn, "ledger_entries", []string{"shop_id", "customer_id", "kind", "points", "balance_after", "remaining",
		"amount", "order_id", "source_type", "source_id", "reason", "occurred_at", "available_at", "created_at"},
		len(g.entries), func(i int) []any {
			e := &g.entries[i]
			var order *int64
			if e.orderID != 0 {
				order = &e.orderID
			}
			return []any{shop, g.customers[e.cust].id, e.kind, e.points, e.balance, e.remaining, money(e.amount), order,
				e.source, e.sourceID, e.reason, e.at, e.at, e.at}
		})
	if err != nil {
		return err
	}
	return copyTable(ctx, conn, "loyalty_redemptions", []string{"shop_id", "customer_id", "reward_name", "reward_type",
		"reward_value", "points", "code", "request_key", "status", "starts_at", "ends_at", "issued_at", "created_at", "updated_at"},
		len(g.redeems), func(i int) []any {
			e := &g.redeems[i]
			return []any{shop, g.customers[e.cust].id, "10 off", "fixed", money(1000), int64(redeemCost),
				"BMR-" + e.sourceID, "seed-" + e.sourceID, "issued", e.at, e.at.AddDate(0, 6, 0), e.at, e.at, e.at}
		})
}

var reviewBodies = map[int][]string{
	1: {"Broke after two days. Very disappointed.", "Terrible quality, would not buy again.", "Arrived damaged and support never answered."},
	2: {"Not as described, the colour is off.", "Smaller than expected and a bit flimsy."},
	3: {"It's okay. Does the job.", "Average, nothing special."},
	4: {"Good value, arrived quickly.", "Nice product, would recommend."},
	5: {"Love it! Exactly what I needed.", "Excellent quality, my second order already.", "Perfect, thank you!"},
}

func label(score float64) string {
	switch {
	case score > 0.25:
		return "positive"
	case score < -0.25:
		return "negative"
	}
	return "neutral"
}

func (g *generator) copyReviews(ctx context.Context, conn *pgx.Conn) error {
	shop := g.shopID
	err := copyTable(ctx, conn, "reviews", []string{"shop_id", "product_id", "customer_id", "order_id", "rating", "title", "body",
		"reviewer_name", "reviewer_email", "status", "verified_buyer", "source", "sentiment_score", "sentiment_label",
		"sentiment_language", "sentiment_confidence", "scorer_version", "scored_at", "published_at", "created_at", "received_at", "updated_at"},
		len(g.reviews), func(i int) []any {
			r := &g.reviews[i]
			bodies := reviewBodies[r.rating]
			status := "pending"
			var published *time.Time
			if r.published {
				status, published = "published", &r.at
			}
			return []any{shop, r.product, g.customers[r.cust].id, r.orderID, int16(r.rating), fmt.Sprintf("%d stars", r.rating),
				bodies[i%len(bodies)], firstNames[int(r.cust)%len(firstNames)], "", status, true, "link", r.score, label(r.score),
				"en", 0.8, "seed", r.at, published, r.at, r.at, r.at}
		})
	if err != nil {
		return err
	}
	var firstID int64
	if err := conn.QueryRow(ctx, `SELECT COALESCE(min(id), 0) FROM reviews WHERE shop_id = $1`, shop).Scan(&firstID); err != nil {
		return err
	}
	return copyTable(ctx, conn, "cases", []string{"shop_id", "customer_id", "review_id", "order_id", "status", "note",
		"opened_at", "resolved_at", "resolved_by", "updated_at"},
		len(g.cases), func(i int) []any {
			c := &g.cases[i]
			status, note, by, updated := "open", "", "", c.opened
			if c.resolved != nil {
				status, note, by, updated = "resolved", "refund issued", "staff", *c.resolved
			}
			return []any{shop, g.customers[c.cust].id, firstID + int64(c.reviewNo), g.reviews[c.reviewNo].orderID, status, note,
				c.opened, c.resolved, by, updated}
		})
}

func (g *generator) copyContracts(ctx context.Context, conn *pgx.Conn) error {
	shop := g.shopID
	err := copyTable(ctx, conn, "subscription_contracts", []string{"shop_id", "contract_id", "customer_id", "status", "revision_id",
		"status_at", "currency", "billing_interval", "billing_interval_count", "delivery_interval", "delivery_interval_count",
		"cancellation_reason", "started_at", "ended_at", "lines_revision", "lines_fetched_at", "created_at", "updated_at"},
		len(g.contracts), func(i int) []any {
			k := &g.contracts[i]
			status, at, rev := "active", k.started, int64(1)
			if k.cancelled != nil {
				status, at, rev = "cancelled", *k.cancelled, 2
			}
			return []any{shop, k.id, g.customers[k.cust].id, status, rev, at, "USD", "month", 1, "month", 1, k.reason,
				k.started, k.cancelled, rev, at, k.started, at}
		})
	if err != nil {
		return err
	}
	err = copyTable(ctx, conn, "subscription_lines", []string{"shop_id", "contract_id", "position", "product_id", "variant_id", "title", "quantity"},
		len(g.contracts), func(i int) []any {
			k := &g.contracts[i]
			return []any{shop, k.id, 0, k.product, k.product*10 + 1, fmt.Sprintf("Coffee subscription %d", k.product), 1}
		})
	if err != nil {
		return err
	}
	type report struct {
		k      *genContract
		topic  string
		status string
		at     time.Time
		rev    int64
	}
	var reports []report
	for i := range g.contracts {
		k := &g.contracts[i]
		reports = append(reports, report{k, "subscription_contracts/create", "active", k.started, 1})
		if k.cancelled != nil {
			reports = append(reports, report{k, "subscription_contracts/cancel", "cancelled", *k.cancelled, 2})
		}
	}
	return copyTable(ctx, conn, "subscription_status_history", []string{"shop_id", "contract_id", "customer_id", "topic", "status",
		"revision_id", "reason", "occurred_at", "webhook_event_id", "applied", "created_at"},
		len(reports), func(i int) []any {
			r := reports[i]
			reason := ""
			if r.status == "cancelled" {
				reason = r.k.reason
			}
			return []any{shop, r.k.id, g.customers[r.k.cust].id, r.topic, r.status, r.rev, reason, r.at, int64(i + 1), true, r.at}
		})
}
