package fakeshop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Bulk operations as Shopify runs them (contract §6.4): bulkOperationRunQuery starts one,
// node(id:) and currentBulkOperation report it, its JSONL result is downloaded from a URL that
// needs no token, and bulk_operations/finish is posted to the app when it ends. A test says what
// the next operation of a shop produces (SetBulkResult) or how it fails (FailNextBulk).

// BulkResult writes an operation's JSONL file; it may stream any amount.
type BulkResult func(w io.Writer) error

type bulkOp struct {
	shop, id, query string
	status          string // RUNNING, COMPLETED, FAILED
	errorCode       string
	result          BulkResult
	expired         bool
	objects         int64 // lines of the result
	created, done   time.Time
}

// lineCounter counts the lines written to it.
type lineCounter int64

func (c *lineCounter) Write(p []byte) (int, error) {
	*c += lineCounter(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

type bulkState struct {
	mu      sync.Mutex
	ops     map[string]*bulkOp    // gid → op
	next    map[string]BulkResult // shop → what its next operation returns
	fail    map[string]string     // shop → error code its next operation fails with
	current map[string]string     // shop → gid of its latest operation
	queries map[string][]string   // shop → queries run
	hook    func(shop string, body []byte)
}

func newBulkState() *bulkState {
	return &bulkState{ops: map[string]*bulkOp{}, next: map[string]BulkResult{}, fail: map[string]string{},
		current: map[string]string{}, queries: map[string][]string{}}
}

func (s *Server) bulk() *bulkState { return s.bulkData }

// SetBulkResult makes every later bulk operation of shop produce this JSONL.
func (s *Server) SetBulkResult(shop string, r BulkResult) {
	b := s.bulk()
	b.mu.Lock()
	b.next[shop] = r
	b.mu.Unlock()
}

// FailNextBulk makes the next bulk operation of shop fail with errorCode (e.g. INTERNAL_SERVER_ERROR).
func (s *Server) FailNextBulk(shop, errorCode string) {
	b := s.bulk()
	b.mu.Lock()
	b.fail[shop] = errorCode
	b.mu.Unlock()
}

// ExpireBulkResults makes the result links of shop's finished operations expire (HTTP 403).
func (s *Server) ExpireBulkResults(shop string) {
	b := s.bulk()
	b.mu.Lock()
	for _, op := range b.ops {
		if op.shop == shop {
			op.expired = true
		}
	}
	b.mu.Unlock()
}

// OnBulkFinish sets where the bulk_operations/finish webhook goes: the fake calls post with the
// shop and the signed body (a test or `boomerang dev` delivers it to the app's /webhooks).
func (s *Server) OnBulkFinish(post func(shop string, body []byte)) {
	b := s.bulk()
	b.mu.Lock()
	b.hook = post
	b.mu.Unlock()
}

// BulkQueries lists the queries shop's bulk operations ran.
func (s *Server) BulkQueries(shop string) []string {
	b := s.bulk()
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.queries[shop]...)
}

func (s *Server) registerBulk() {
	s.Handle("bulkOperationRunQuery", func(shop string, vars map[string]any) (any, error) {
		q, _ := vars["query"].(string)
		if !strings.Contains(q, "edges") && !strings.Contains(q, "nodes") {
			return payload("bulkOperationRunQuery", map[string]any{"bulkOperation": nil},
				userError([]string{"query"}, "INVALID", "Bulk queries must contain at least one connection.")), nil
		}
		s.mu.Lock()
		allOrders := slices.Contains(strings.Split(s.grantedLocked(shop), ","), "read_all_orders")
		s.mu.Unlock()
		b := s.bulk()
		b.mu.Lock()
		result := b.next[shop]
		if result != nil && !allOrders {
			result = recentOrdersOnly(result, time.Now().AddDate(0, 0, -60))
		}
		op := &bulkOp{shop: shop, id: fmt.Sprintf("gid://shopify/BulkOperation/%d", s.seq.Add(1)), query: q,
			status: "RUNNING", result: result, errorCode: b.fail[shop], created: time.Now().UTC()}
		delete(b.fail, shop)
		b.ops[op.id] = op
		b.current[shop] = op.id
		b.queries[shop] = append(b.queries[shop], q)
		hook := b.hook
		view := s.bulkView(op)
		b.mu.Unlock()
		go s.finishBulk(op, hook) // Shopify runs it in the background
		return payload("bulkOperationRunQuery", map[string]any{"bulkOperation": view}), nil
	})
	s.Handle("node", func(shop string, vars map[string]any) (any, error) {
		id, _ := vars["id"].(string)
		if strings.HasPrefix(id, "gid://shopify/SellingPlan/") {
			return s.sellingPlanNode(shop, id)
		}
		if strings.HasPrefix(id, "gid://shopify/AppSubscription/") {
			return s.appSubscriptionNode(shop, id), nil
		}
		b := s.bulk()
		b.mu.Lock()
		defer b.mu.Unlock()
		op := b.ops[id]
		if op == nil || op.shop != shop {
			return map[string]any{"node": nil}, nil
		}
		return map[string]any{"node": s.bulkView(op)}, nil
	})
	s.Handle("currentBulkOperation", func(shop string, _ map[string]any) (any, error) {
		b := s.bulk()
		b.mu.Lock()
		defer b.mu.Unlock()
		op := b.ops[b.current[shop]]
		if op == nil {
			return map[string]any{"currentBulkOperation": nil}, nil
		}
		return map[string]any{"currentBulkOperation": s.bulkView(op)}, nil
	})
}

// finishBulk ends an operation a moment after it started (once its result is counted, as
// Shopify reports objectCount) and posts the finish webhook.
func (s *Server) finishBulk(op *bulkOp, hook func(string, []byte)) {
	time.Sleep(20 * time.Millisecond)
	var lines lineCounter
	if op.result != nil && op.errorCode == "" {
		_ = op.result(&lines)
	}
	b := s.bulk()
	b.mu.Lock()
	op.objects = int64(lines)
	op.done = time.Now().UTC()
	op.status = "COMPLETED"
	if op.errorCode != "" {
		op.status = "FAILED"
	}
	body := fmt.Sprintf(`{"admin_graphql_api_id":%q,"completed_at":%q,"created_at":%q,"error_code":%s,"status":%q,"type":"query"}`,
		op.id, op.done.Format(time.RFC3339), op.created.Format(time.RFC3339), nullString(strings.ToLower(op.errorCode)),
		strings.ToLower(op.status))
	b.mu.Unlock()
	if hook != nil {
		hook(op.shop, []byte(body))
	}
}

func nullString(s string) string {
	if s == "" {
		return "null"
	}
	return fmt.Sprintf("%q", s)
}

// bulkView is the BulkOperation object as the API shows it (callers hold b.mu).
func (s *Server) bulkView(op *bulkOp) map[string]any {
	v := map[string]any{"id": op.id, "status": op.status, "errorCode": nil, "url": nil, "partialDataUrl": nil,
		"objectCount": "0", "rootObjectCount": "0", "createdAt": op.created.Format(time.RFC3339), "completedAt": nil}
	if op.errorCode != "" {
		v["errorCode"] = op.errorCode
	}
	if op.status == "COMPLETED" {
		v["completedAt"] = op.done.Format(time.RFC3339)
		v["objectCount"] = fmt.Sprint(op.objects)
		if op.result != nil {
			v["url"] = s.srv.URL + "/" + op.shop + "/bulk-results/" + strings.TrimPrefix(op.id, "gid://shopify/BulkOperation/") + ".jsonl"
		}
	}
	return v
}

// serveBulkResult streams an operation's JSONL, as Shopify's storage does.
func (s *Server) serveBulkResult(w http.ResponseWriter, shop, name string) {
	id := "gid://shopify/BulkOperation/" + strings.TrimSuffix(name, ".jsonl")
	b := s.bulk()
	b.mu.Lock()
	op := b.ops[id]
	b.mu.Unlock()
	switch {
	case op == nil || op.shop != shop || op.result == nil:
		http.NotFound(w, nil)
		return
	case op.expired:
		http.Error(w, "Request has expired", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/jsonl")
	if err := op.result(w); err != nil {
		panic(http.ErrAbortHandler) // a broken download, as a dropped connection looks
	}
}

// recentOrdersOnly filters a result as Shopify does for an app without read_all_orders: orders
// created before since are left out, with their line items.
func recentOrdersOnly(r BulkResult, since time.Time) BulkResult {
	return func(w io.Writer) error {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(r(pw)) }()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 8<<20)
		skipping := false
		for sc.Scan() {
			var head struct {
				ParentID  string     `json:"__parentId"`
				CreatedAt *time.Time `json:"createdAt"`
			}
			line := sc.Bytes()
			if json.Unmarshal(line, &head) == nil {
				if head.ParentID == "" {
					skipping = head.CreatedAt != nil && head.CreatedAt.Before(since)
				}
				if skipping {
					continue
				}
			}
			if _, err := w.Write(append(line, '\n')); err != nil {
				pr.CloseWithError(err)
				return err
			}
		}
		return sc.Err()
	}
}
