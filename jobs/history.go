package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// The history import (issue 11): a bulk query of the shop's orders runs on Shopify's side; this
// task starts it, waits for it (the bulk_operations/finish webhook enqueues it again, and it
// polls as a fallback), then streams the result into the fact tables in batches, recording its
// position with each, so a worker killed mid-import resumes where the last batch ended.

// TypeHistoryImport imports (or resumes importing) a shop's order history.
const TypeHistoryImport = "history:import"

const (
	historyBatch     = 1000            // orders per transaction
	historyWriters   = 2               // transactions at once
	historySeenMax   = 1 << 20         // customers remembered while reading (about 40 MB at most)
	historyPollEvery = 5 * time.Second // while the bulk operation runs
)

// EnqueueHistoryImport asks for the shop's import to make progress: start, poll or stream. A
// delayed one (the next poll) has its own task id, as the running task still holds the plain
// one; two runs at once only repeat idempotent work.
func (q *Queue) EnqueueHistoryImport(ctx context.Context, shopID int64, after time.Duration) error {
	b, _ := json.Marshal(idPayload{shopID})
	id := "history:" + strconv.FormatInt(shopID, 10)
	opts := []asynq.Option{asynq.Queue(QueueLow), asynq.MaxRetry(10), asynq.Timeout(time.Hour)}
	if after > 0 {
		due := time.Now().Add(after)
		id += ":" + strconv.FormatInt(due.Unix(), 10)
		opts = append(opts, asynq.ProcessAt(due))
	}
	return q.enqueue(ctx, asynq.NewTask(TypeHistoryImport, b), append(opts, asynq.TaskID(id))...)
}

func (w *Worker) history() History {
	return History{DB: w.DB, Bulk: w.Admin, Log: w.Log, Now: w.Now}
}

func (w *Worker) registerHistory(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeHistoryImport, w.handleHistoryImport)
	mux.HandleFunc(TypeHistoryOpening, w.handleOpening)
}

func (w *Worker) handleHistoryImport(ctx context.Context, t *asynq.Task) error {
	shopID, err := decodeID(t)
	if err != nil {
		return err
	}
	again, err := w.history().Import(ctx, shopID)
	if err != nil {
		return err
	}
	if again > 0 && w.Queue != nil {
		return w.Queue.EnqueueHistoryImport(ctx, shopID, again)
	}
	return nil
}

// History is the import of a shop's order history, a use case that spans the domains: it reads
// Shopify's bulk operation, stores the orders as core facts, derives loyalty and messaging state
// from them (DeriveFromHistory) and welcomes the first orders held back meanwhile. The task
// handler, tests and cmd/seedshop call it with what it needs; no worker is involved.
type History struct {
	DB   *gorm.DB
	Bulk HistoryBulk
	Log  *slog.Logger
	Now  func() time.Time // nil: time.Now
}

// HistoryBulk is the import's Shopify side (shopify.Admin): the shop's token and its bulk
// operations.
type HistoryBulk interface {
	AccessToken(ctx context.Context, shop string) (string, error)
	RunBulkQuery(ctx context.Context, shop, query string) (shopify.BulkOperation, error)
	GetBulkOperation(ctx context.Context, shop, id string) (shopify.BulkOperation, error)
}

var _ HistoryBulk = (*shopify.Admin)(nil)

func (h History) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Import moves a shop's import on as far as it can now. It returns how long to wait
// before trying again while Shopify is still running the operation (0 when there is nothing
// more to wait for). Tests and commands call it without a worker.
func (h History) Import(ctx context.Context, shopID int64) (time.Duration, error) {
	sh, err := models.GetShop(ctx, h.DB, shopID)
	if err != nil || sh.Status != models.ShopInstalled {
		return 0, err
	}
	imp, err := models.GetHistoryImport(ctx, h.DB, shopID)
	if err != nil || imp.State == models.ImportDone {
		return 0, err
	}
	if _, err := h.Bulk.AccessToken(ctx, sh.Domain); err != nil {
		// Installed, but the first load has not traded its session token yet: wait for it.
		h.Log.Info("history import waits for the shop's token", "shop", sh.Domain, "error", err)
		return historyPollEvery, nil
	}
	if imp.OperationID == "" || imp.State == models.ImportFailed || imp.State == models.ImportPending {
		op, err := h.Bulk.RunBulkQuery(ctx, sh.Domain, shopify.OrderHistoryQuery)
		if err != nil {
			return 0, fmt.Errorf("start history import of %s: %w", sh.Domain, err)
		}
		// Without read_all_orders Shopify answers with the last 60 days; the import says so, and
		// runs again when the merchant grants it (app/scopes_update).
		allOrders := len(shopify.HasScopes(sh.Scopes, shopify.ScopeReadAllOrders)) == 0
		if err := models.StartHistoryImport(ctx, h.DB, shopID, op.ID, allOrders, h.now()); err != nil {
			return 0, err
		}
		imp.OperationID, imp.Position = op.ID, 0
	}
	op, err := h.Bulk.GetBulkOperation(ctx, sh.Domain, imp.OperationID)
	if err != nil {
		return 0, err
	}
	switch {
	case !op.Done():
		return historyPollEvery, nil
	case op.Status != shopify.BulkCompleted:
		// Failed, canceled or expired: recorded, and the next run starts a new operation.
		failure := fmt.Errorf("bulk operation %s: %s %s", op.ID, op.Status, op.ErrorCode)
		if err := models.FinishHistoryImport(ctx, h.DB, shopID, failure, h.now()); err != nil {
			return 0, err
		}
		return 0, failure // Asynq retries with backoff
	case op.URL == "": // no orders at all
		return 0, h.finish(ctx, shopID)
	}
	total, _ := strconv.ParseInt(op.ObjectCount, 10, 64)
	if err := models.MarkHistoryDownload(ctx, h.DB, shopID, total, h.now()); err != nil {
		return 0, err
	}
	body, err := shopify.OpenBulkResult(ctx, nil, op.URL)
	if errors.Is(err, shopify.ErrBulkExpired) {
		// Recorded as failed, so the next run starts a new operation; what is stored stays.
		if err := models.FinishHistoryImport(ctx, h.DB, shopID, err, h.now()); err != nil {
			return 0, err
		}
		return historyPollEvery, nil
	}
	if err != nil {
		return 0, err
	}
	defer body.Close()
	t := time.Now()
	if err := h.store(ctx, shopID, body, imp.Position); err != nil {
		return 0, err
	}
	h.Log.Info("history stored", "shop", sh.Domain, "took", time.Since(t).Round(time.Millisecond))
	t = time.Now()
	if err := DeriveFromHistory(ctx, h.DB, shopID); err != nil {
		return 0, err
	}
	h.Log.Info("history derived", "shop", sh.Domain, "took", time.Since(t).Round(time.Millisecond))
	return 0, h.finish(ctx, shopID)
}

// finishImport marks the import done and sends the welcomes held back while it ran: to the
// customers whose order since it started is, with the whole past in, their first
// (firstOrderDue decides the rest, and its key makes a welcome once per customer).
func (h History) finish(ctx context.Context, shopID int64) error {
	if err := models.FinishHistoryImport(ctx, h.DB, shopID, nil, h.now()); err != nil {
		return err
	}
	imp, err := models.GetHistoryImport(ctx, h.DB, shopID)
	if err != nil || imp.StartedAt == nil {
		return err
	}
	orders, err := models.FirstOrdersSince(ctx, h.DB, shopID, *imp.StartedAt)
	if err != nil {
		return err
	}
	var due []*models.Order
	for i := range orders {
		// FirstOrdersSince lists only orders that are their customer's one kept order.
		if firstOrderDue(&orders[i], 1, h.now()) {
			due = append(due, &orders[i])
		}
	}
	return emitWelcomes(ctx, h.DB, shopID, due)
}

// historyChunk is a batch read from the result: its orders, the line of its last order and the
// malformed lines met on the way.
type historyChunk struct {
	seq    int // 0, 1, 2, … in the order read
	orders []models.HistoryOrder
	last   int64
	errs   []models.LineError
}

// storeHistory streams the result and stores the orders after line `from`. Reading overlaps
// storing, and historyWriters batches are stored at once (on two cores Postgres is the
// slower half); at most historyWriters+2 batches are in memory.
func (h History) store(ctx context.Context, shopID int64, r io.Reader, from int64) error {
	chunks := make(chan historyChunk, 1)
	g, gctx := errgroup.WithContext(ctx)
	// A broken download does not cancel the writers: what was read before it is stored, and
	// the retry resumes after it. A writer's failure stops the reader.
	var readErr error
	go func() {
		defer close(chunks)
		readErr = readHistory(gctx, r, from, chunks)
	}()
	seq := &historySequencer{next: 0, done: map[int]historyChunk{}}
	for range historyWriters {
		g.Go(func() error {
			for c := range chunks {
				if err := models.StoreHistoryBatch(gctx, h.DB, shopID, c.orders); err != nil {
					return err
				}
				if pos, errs, ok := seq.stored(c); ok {
					if err := models.AdvanceHistoryImport(gctx, h.DB, shopID, pos, errs); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return readErr // set before chunks closed, and the writers only stop when it is
}

// historySequencer turns batches stored out of order into a position: the last line of the
// longest run of stored batches from the first.
type historySequencer struct {
	mu   sync.Mutex
	next int                  // the first batch not yet stored
	done map[int]historyChunk // stored after a batch that is not
}

// stored records a batch; ok when the position moved, with the malformed lines now behind it.
func (s *historySequencer) stored(c historyChunk) (position int64, errs []models.LineError, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done[c.seq] = c
	for {
		d, found := s.done[s.next]
		if !found {
			return position, errs, ok
		}
		delete(s.done, s.next)
		s.next++
		position, errs, ok = d.last, append(errs, d.errs...), true
	}
}

// readHistory cuts the result into chunks of historyBatch orders, skipping what a previous run
// stored (up to line `from`).
func readHistory(ctx context.Context, r io.Reader, from int64, out chan<- historyChunk) error {
	hr := shopify.NewHistoryReader(r)
	c := historyChunk{last: from}
	seen := map[int64]struct{}{}
	send := func() error {
		if len(c.orders) == 0 && len(c.errs) == 0 {
			return nil
		}
		select {
		case out <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
		c = historyChunk{seq: c.seq + 1, last: c.last, orders: make([]models.HistoryOrder, 0, historyBatch)}
		return nil
	}
	for {
		o, err := hr.Next()
		var le *shopify.BulkLineError
		switch {
		case errors.As(err, &le):
			if int64(le.Line) > from {
				c.errs = append(c.errs, models.LineError{Line: le.Line, Reason: le.Reason})
			}
			continue
		case errors.Is(err, io.EOF):
			return send()
		case err != nil:
			// A broken download: the orders read so far are whole, so they are stored; the task
			// is retried and resumes at the position.
			if serr := send(); serr != nil {
				return serr
			}
			return fmt.Errorf("read history: %w", err)
		}
		if int64(o.Line) <= from {
			continue // stored before a restart
		}
		h := historyFact(o)
		if h.Customer != nil {
			// A customer's first order in the file brings their record; later ones leave it out,
			// so two batches stored at once never wait on each other's customer rows.
			if _, dup := seen[h.Customer.CustomerID]; dup {
				h.Customer = nil
			} else if len(seen) < historySeenMax {
				seen[h.Customer.CustomerID] = struct{}{}
			}
		}
		c.orders = append(c.orders, h)
		c.last = int64(o.Line)
		if len(c.orders) >= historyBatch {
			if err := send(); err != nil {
				return err
			}
		}
	}
}

// historyFact turns a bulk-result order into the fact the store takes.
func historyFact(o *shopify.HistoryOrder) models.HistoryOrder {
	f := models.OrderFact{OrderID: o.ID, CustomerID: o.CustomerID(), Name: o.Name, Email: o.Email,
		Currency: o.Subtotal.ShopMoney.CurrencyCode, Subtotal: o.Subtotal.ShopMoney.Amount, Total: o.Total.ShopMoney.Amount,
		FinancialStatus: strings.ToLower(o.DisplayFinancialStatus), Test: o.Test, DiscountCodes: o.DiscountCodes,
		CancelledAt: o.CancelledAt, Paid: o.Paid(), ProcessedAt: o.ProcessedAt, CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt}
	if j := o.Journey; j != nil && j.FirstVisit != nil {
		f.LandingSite = j.FirstVisit.LandingPage
	}
	for _, l := range o.Lines {
		line := models.OrderLine{LineItemID: l.ID, Title: l.Title, Quantity: l.Quantity, Price: l.UnitPrice.ShopMoney.Amount}
		if l.Product != nil {
			if _, id, ok := shopify.ParseGID(l.Product.ID); ok {
				line.ProductID = &id
			}
		}
		if l.Variant != nil {
			if _, id, ok := shopify.ParseGID(l.Variant.ID); ok {
				line.VariantID = &id
			}
		}
		if l.SellingPlan != nil {
			if _, id, ok := shopify.ParseGID(l.SellingPlan.SellingPlanID); ok {
				line.SellingPlanID = &id
			}
		}
		f.Lines = append(f.Lines, line)
	}
	h := models.HistoryOrder{Order: f, Refunded: o.Refunded()}
	if c := o.Customer; c != nil && f.CustomerID != 0 {
		h.Customer = &models.CustomerFact{CustomerID: f.CustomerID, Email: c.Email, Phone: c.Phone, FirstName: c.FirstName,
			LastName: c.LastName, Locale: cmp.Or(c.Locale, o.CustomerLocale), UpdatedAt: c.UpdatedAt}
		if c.EmailMarketingConsent != nil {
			h.Customer.EmailConsent = strings.ToLower(c.EmailMarketingConsent.MarketingState)
		}
		if c.SMSMarketingConsent != nil {
			h.Customer.SMSConsent = strings.ToLower(c.SMSMarketingConsent.MarketingState)
		}
	}
	return h
}

// onScopesGranted imports the whole history again when read_all_orders was just granted and
// the import so far saw 60 days.
func (w *Worker) onScopesGranted(ctx context.Context, shopID int64, su shopify.ScopesUpdate) error {
	granted := strings.Join(su.Current, ",")
	if len(shopify.HasScopes(granted, shopify.ScopeReadAllOrders)) > 0 {
		return nil
	}
	due, err := models.WidenHistoryImport(ctx, w.DB, shopID, w.now())
	if err != nil || !due || w.Queue == nil {
		return err
	}
	return w.Queue.EnqueueHistoryImport(ctx, shopID, 0)
}
