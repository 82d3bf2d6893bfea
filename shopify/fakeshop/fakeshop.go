// Package fakeshop is a local stand-in for Shopify's Admin API: the token endpoint and the
// GraphQL operations Boomerang uses, answering with Shopify's documented shapes (including
// cost extensions and THROTTLED errors). Tests run against it; so does `boomerang dev`, since
// Shopify cannot be reached from a developer's machine without a partner account.
package fakeshop

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// Op answers one GraphQL operation: data is encoded as the response's `data`.
type Op func(shop string, vars map[string]any) (data any, err error)

// Call is one request the fake received.
type Call struct {
	Shop      string
	Operation string
	Vars      map[string]any
	Token     string
}

// Server is the fake. The zero value is not usable; call New or Start.
type Server struct {
	mu        sync.Mutex
	ops       map[string]Op
	calls     []Call
	throttle  int // answer the next n GraphQL calls with THROTTLED
	seq       atomic.Int64
	tokens    map[string]string // access token → shop
	refresh   map[string]string // refresh token → shop
	scopes    map[string]string // shop → granted scopes, when not DefaultScopes
	APISecret string
	srv       *httptest.Server
	data      *state
	bulkData  *bulkState
	filesSt   *filesState
	billing   billingState
}

// New returns an unstarted fake with the default operations; Handler serves it.
func New(apiSecret string) *Server {
	s := &Server{ops: map[string]Op{}, tokens: map[string]string{}, refresh: map[string]string{}, scopes: map[string]string{}, APISecret: apiSecret,
		data:     &state{discountCodes: map[string]map[string]any{}, tags: map[string]map[string]bool{}, contracts: map[string]Contract{}},
		bulkData: newBulkState()}
	s.registerDefaults()
	s.registerBulk()
	s.registerFiles()
	s.registerBilling()
	return s
}

// DefaultScopes are what a shop grants unless SetScopes says otherwise: the app's required
// scopes and the optional read_all_orders.
const DefaultScopes = "read_orders,read_all_orders,read_customers,write_customers,write_discounts,write_products,read_own_subscription_contracts,write_app_proxy,read_locales"

// SetScopes sets the scopes shop has granted: token responses report them, and without
// read_all_orders bulk queries see the last 60 days of orders only.
func (s *Server) SetScopes(shop, scopes string) {
	s.mu.Lock()
	s.scopes[shop] = scopes
	s.mu.Unlock()
}

// grantedLocked is shop's granted scopes (callers hold s.mu).
func (s *Server) grantedLocked(shop string) string {
	if v, ok := s.scopes[shop]; ok {
		return v
	}
	return DefaultScopes
}

// Start runs the fake on 127.0.0.1 until Close.
func Start(apiSecret string) *Server {
	s := New(apiSecret)
	s.srv = httptest.NewServer(s)
	return s
}

// BaseURL is the SHOPIFY_BASE_URL template pointing at this fake.
func (s *Server) BaseURL() string { return s.srv.URL + "/{shop}" }

func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Handle adds or replaces an operation, matched by the first field name of the query.
func (s *Server) Handle(field string, op Op) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops[field] = op
}

// Throttle makes the next n GraphQL calls answer THROTTLED.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	s.throttle = n
	s.mu.Unlock()
}

// Calls returns the GraphQL calls received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls of one operation.
func (s *Server) CallsTo(op string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Operation == op {
			out = append(out, c)
		}
	}
	return out
}

// IssueToken registers an access token for a shop, as if an install had happened.
func (s *Server) IssueToken(shop, token string) {
	s.mu.Lock()
	s.tokens[token] = shop
	s.mu.Unlock()
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	if len(parts) != 2 {
		http.NotFound(w, r)
		return
	}
	shop, rest := parts[0], "/"+parts[1]
	switch {
	case rest == "/admin/oauth/access_token" && r.Method == http.MethodPost:
		s.serveToken(w, r, shop)
	case strings.HasPrefix(rest, "/admin/api/") && strings.HasSuffix(rest, "/graphql.json"):
		s.serveGraphQL(w, r, shop)
	case strings.HasPrefix(rest, "/bulk-results/") && r.Method == http.MethodGet:
		s.serveBulkResult(w, shop, strings.TrimPrefix(rest, "/bulk-results/"))
	case rest == "/staged" && r.Method == http.MethodPost:
		s.serveStaged(w, r, shop)
	case strings.HasPrefix(rest, "/billing/confirm/"):
		s.serveBillingConfirm(w, r, shop, strings.TrimPrefix(rest, "/billing/confirm/"))
	case strings.HasPrefix(rest, "/files/") && r.Method == http.MethodGet:
		s.serveFile(w, shop, strings.TrimPrefix(rest, "/files/"))
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, shop string) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("client_secret") != s.APISecret {
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	}
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case f.Get("grant_type") == "refresh_token":
		if s.refresh[f.Get("refresh_token")] != shop {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		delete(s.refresh, f.Get("refresh_token")) // one-time use
	case strings.HasSuffix(f.Get("grant_type"), "token-exchange") && strings.HasSuffix(f.Get("subject_token_type"), "id_token"):
		if strings.Count(f.Get("subject_token"), ".") != 2 {
			http.Error(w, `{"error":"invalid_subject_token"}`, http.StatusBadRequest)
			return
		}
	case strings.HasSuffix(f.Get("grant_type"), "token-exchange"):
		if s.tokens[f.Get("subject_token")] != shop {
			http.Error(w, `{"error":"invalid_subject_token"}`, http.StatusBadRequest)
			return
		}
		delete(s.tokens, f.Get("subject_token")) // the legacy token is revoked
	case f.Get("code") != "":
	default:
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		return
	}
	n := s.seq.Add(1)
	access, refresh := fmt.Sprintf("shpat_fake_%d", n), fmt.Sprintf("shprt_fake_%d", n)
	s.tokens[access], s.refresh[refresh] = shop, shop
	writeJSON(w, map[string]any{"access_token": access, "scope": s.grantedLocked(shop),
		"expires_in": 3600, "refresh_token": refresh, "refresh_token_expires_in": 7776000})
}

var firstField = regexp.MustCompile(`(?s)^\s*(?:(?:query|mutation)\b[^{]*)?\{\s*([A-Za-z_][A-Za-z0-9_]*)`)

func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request, shop string) {
	token := r.Header.Get("X-Shopify-Access-Token")
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	m := firstField.FindStringSubmatch(req.Query)
	op := ""
	if m != nil {
		op = m[1]
	}
	s.mu.Lock()
	known := s.tokens[token] == shop
	s.calls = append(s.calls, Call{Shop: shop, Operation: op, Vars: req.Variables, Token: token})
	throttled := s.throttle > 0
	if throttled {
		s.throttle--
	}
	handler := s.ops[op]
	s.mu.Unlock()
	if !known {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]any{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	cost := map[string]any{"requestedQueryCost": 10, "actualQueryCost": 10,
		"throttleStatus": map[string]any{"maximumAvailable": 2000.0, "currentlyAvailable": 1990.0, "restoreRate": 100.0}}
	if throttled {
		cost["actualQueryCost"] = nil
		cost["throttleStatus"] = map[string]any{"maximumAvailable": 2000.0, "currentlyAvailable": 9.9, "restoreRate": 100.0}
		writeJSON(w, map[string]any{"errors": []any{map[string]any{"message": "Throttled", "extensions": map[string]any{"code": "THROTTLED"}}},
			"extensions": map[string]any{"cost": cost}})
		return
	}
	if handler == nil {
		writeJSON(w, map[string]any{"errors": []any{map[string]any{"message": fmt.Sprintf("Field '%s' doesn't exist on type 'QueryRoot'", op)}}})
		return
	}
	data, err := handler(shop, req.Variables)
	if err != nil {
		writeJSON(w, map[string]any{"errors": []any{map[string]any{"message": err.Error()}}})
		return
	}
	writeJSON(w, map[string]any{"data": data, "extensions": map[string]any{"cost": cost}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// ShopFromURL returns the shop segment of a fake URL path (for tests that build URLs).
func ShopFromURL(u *url.URL) string {
	return strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 2)[0]
}
