package shopify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Bulk operations (contract §6.4): a query runs on Shopify's side and its result is a JSONL file
// to download. Completion comes as the bulk_operations/finish webhook; polling node(id:) is the
// fallback.

// Bulk operation statuses that end an operation.
const (
	BulkCompleted = "COMPLETED"
	BulkFailed    = "FAILED"
	BulkCanceled  = "CANCELED"
	BulkExpired   = "EXPIRED"
)

// BulkOperation is the part of Shopify's BulkOperation object the importer reads.
type BulkOperation struct {
	ID              string     `json:"id"`
	Status          string     `json:"status"`
	ErrorCode       string     `json:"errorCode"`
	URL             string     `json:"url"`
	PartialDataURL  string     `json:"partialDataUrl"`
	ObjectCount     string     `json:"objectCount"` // UnsignedInt64, sent as a string
	RootObjectCount string     `json:"rootObjectCount"`
	CreatedAt       *time.Time `json:"createdAt"`
	CompletedAt     *time.Time `json:"completedAt"`
}

// Done reports whether the operation ended, well or not.
func (b BulkOperation) Done() bool {
	switch b.Status {
	case BulkCompleted, BulkFailed, BulkCanceled, BulkExpired:
		return true
	}
	return false
}

const bulkFields = `id status errorCode url partialDataUrl objectCount rootObjectCount createdAt completedAt`

const bulkRunMutation = `mutation bulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { ` + bulkFields + ` }
    userErrors { field message }
  }
}`

// ErrBulkRefused is a bulk query Shopify would not start (its userErrors are in the message).
var ErrBulkRefused = errors.New("bulk operation refused")

// RunBulkQuery starts a bulk query for a shop. Children come as their own lines after their
// parent (groupObjects false: the faster form).
func (a *Admin) RunBulkQuery(ctx context.Context, shop, query string) (BulkOperation, error) {
	var out struct {
		BulkOperationRunQuery struct {
			BulkOperation *BulkOperation `json:"bulkOperation"`
			UserErrors    []struct {
				Field   []string `json:"field"`
				Message string   `json:"message"`
			} `json:"userErrors"`
		} `json:"bulkOperationRunQuery"`
	}
	if err := a.Query(ctx, shop, bulkRunMutation, map[string]any{"query": query}, &out); err != nil {
		return BulkOperation{}, err
	}
	res := out.BulkOperationRunQuery
	if len(res.UserErrors) > 0 || res.BulkOperation == nil {
		msgs := make([]string, len(res.UserErrors))
		for i, e := range res.UserErrors {
			msgs[i] = e.Message
		}
		return BulkOperation{}, fmt.Errorf("%w: %s", ErrBulkRefused, strings.Join(msgs, "; "))
	}
	return *res.BulkOperation, nil
}

const bulkNodeQuery = `query node($id: ID!) { node(id: $id) { ... on BulkOperation { ` + bulkFields + ` } } }`

// GetBulkOperation reads one operation by id (polling, and after a finish webhook, which carries
// no URL).
func (a *Admin) GetBulkOperation(ctx context.Context, shop, id string) (BulkOperation, error) {
	var out struct {
		Node *BulkOperation `json:"node"`
	}
	if err := a.Query(ctx, shop, bulkNodeQuery, map[string]any{"id": id}, &out); err != nil {
		return BulkOperation{}, err
	}
	if out.Node == nil {
		return BulkOperation{}, fmt.Errorf("bulk operation %s not found", id)
	}
	return *out.Node, nil
}

// ErrBulkExpired means the result's link no longer serves the file (Shopify keeps it for a week):
// only a new operation brings the data back.
var ErrBulkExpired = errors.New("the bulk result's link has expired")

// OpenBulkResult streams a finished operation's JSONL file. The URL is a signed link to
// Shopify's storage that expires after 7 days; it needs no token. The caller closes it.
func OpenBulkResult(ctx context.Context, hc *http.Client, url string) (io.ReadCloser, error) {
	if url == "" {
		return nil, errors.New("bulk operation has no result file (no objects, or the link expired)")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download bulk result: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		resp.Body.Close()
		return nil, fmt.Errorf("download bulk result: HTTP %d: %w", resp.StatusCode, ErrBulkExpired)
	default:
		resp.Body.Close()
		return nil, fmt.Errorf("download bulk result: HTTP %d", resp.StatusCode)
	}
	return resp.Body, nil
}
