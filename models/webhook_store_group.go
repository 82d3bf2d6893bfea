package models

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// DeliveryWriter is StoreDelivery with group commit. A webhook's insert and commit cost
// Postgres about three times as much CPU as the same row does inside a ten-row statement
// (docs/bench/loyalty.md, "group commit"), and Shopify sends a busy store's webhooks many at a time. So the
// deliveries that arrive while a statement is under way wait for the next one, and each
// statement stores all that waited (up to groupRows), in one commit: a lone delivery goes at
// once, and under load the rows a statement carries grow with the load. Every delivery's
// answer still waits for its own row's commit, so a 200 still means stored.
type DeliveryWriter struct {
	db *sql.DB

	mu       sync.Mutex
	waiting  []*deliveryReq
	flushing int // statements under way, at most groupFlushers
}

const (
	groupRows      = 200             // deliveries one statement carries at most
	groupFlushers  = 4               // statements under way at once
	groupStatement = 5 * time.Second // bounds a statement that serves many requests
)

type deliveryReq struct {
	d    Delivery
	out  Stored
	err  error
	done chan struct{}
}

// NewDeliveryWriter stores deliveries through db's connection pool.
func NewDeliveryWriter(db *gorm.DB) (*DeliveryWriter, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	return &DeliveryWriter{db: sqlDB}, nil
}

// Store is StoreDelivery: it returns once the delivery is committed (or known a duplicate,
// or dropped), with the same outcome.
func (w *DeliveryWriter) Store(ctx context.Context, d Delivery) (Stored, error) {
	r := &deliveryReq{d: d, done: make(chan struct{})}
	w.mu.Lock()
	w.waiting = append(w.waiting, r)
	lead := w.flushing < groupFlushers
	if lead {
		w.flushing++
	}
	w.mu.Unlock()
	if lead {
		w.flush(r)
	}
	select {
	case <-r.done:
		return r.out, r.err
	case <-ctx.Done():
		// The statement it is part of goes on for the others; Shopify retries this one.
		return Stored{}, ctx.Err()
	}
}

// flush writes what is waiting, a statement at a time, until nothing is. The request that
// started it (own) is answered with the statement it rides in; if work is left then, the
// flusher goes on in the background (own nil), so its caller is not kept waiting.
func (w *DeliveryWriter) flush(own *deliveryReq) {
	for {
		w.mu.Lock()
		n := min(len(w.waiting), groupRows)
		if n == 0 {
			w.flushing--
			w.mu.Unlock()
			return
		}
		group := w.waiting[:n:n]
		w.waiting = w.waiting[n:]
		w.mu.Unlock()
		w.write(group)
		if own != nil && isDone(own.done) {
			go w.flush(nil)
			return
		}
	}
}

func isDone(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// write stores a group with one statement. Deliveries it did not insert (a duplicate, a shop
// unknown or gone), and every delivery of a group whose statement failed, go through
// StoreDelivery one by one, which finds out why, so one bad delivery never costs the others
// their answer.
func (w *DeliveryWriter) write(group []*deliveryReq) {
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), groupStatement)
	defer cancel()
	if len(group) > 1 {
		_ = w.insertGroup(ctx, group) // on failure nothing is answered, and all go one by one
	}
	for _, r := range group {
		if !r.out.Fresh {
			r.out, r.err = storeDelivery(ctx, w.db, r.d)
		}
	}
}

// insertGroup inserts the group's deliveries in one statement and answers those it inserted.
// Copies of one delivery in the group (a shop and webhook id twice) are inserted once, as the
// first of them; the others are duplicates, left for the one-by-one path to answer.
func (w *DeliveryWriter) insertGroup(ctx context.Context, group []*deliveryReq) error {
	n := len(group)
	domains, topics, ids, events, versions := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	triggered, bodies := make([]*time.Time, n), make([][]byte, n)
	for i, r := range group {
		domains[i], topics[i], ids[i], events[i], versions[i] = r.d.ShopDomain, r.d.Topic, r.d.WebhookID, r.d.EventID, r.d.APIVersion
		triggered[i], bodies[i] = r.d.TriggeredAt, r.d.Body
	}
	rows, err := w.db.QueryContext(ctx, `INSERT INTO webhook_events
			(shop_id, topic, webhook_id, event_id, triggered_at, api_version, body)
		SELECT s.id, v.topic, v.webhook_id, v.event_id, v.triggered_at, v.api_version, v.body
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::bytea[])
			WITH ORDINALITY AS v (domain, topic, webhook_id, event_id, triggered_at, api_version, body, n)
		JOIN shops s ON s.domain = v.domain AND (s.status = 'installed' OR v.topic = ANY ($8))
		ORDER BY v.n
		ON CONFLICT (shop_id, webhook_id) DO NOTHING
		RETURNING id, shop_id, (SELECT domain FROM shops WHERE id = webhook_events.shop_id), webhook_id`,
		domains, topics, ids, events, triggered, versions, bodies, complianceTopics)
	if err != nil {
		return fmt.Errorf("store %d webhooks: %w", n, err)
	}
	defer rows.Close()
	inserted := make(map[[2]string]Stored, n) // (shop domain, webhook id) → the row stored
	for rows.Next() {
		var st Stored
		var domain, id string
		if err := rows.Scan(&st.EventID, &st.ShopID, &domain, &id); err != nil {
			return fmt.Errorf("store %d webhooks: %w", n, err)
		}
		st.Fresh = true
		inserted[[2]string{domain, id}] = st
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store %d webhooks: %w", n, err)
	}
	for _, r := range group {
		k := [2]string{r.d.ShopDomain, r.d.WebhookID}
		if st, ok := inserted[k]; ok {
			r.out = st
			delete(inserted, k) // the first copy is the one inserted; the rest are duplicates
		}
	}
	return nil
}
