package shopify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/shopify"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

func bulkAdmin(t *testing.T) (*fakeshop.Server, *shopify.Admin, string) {
	t.Helper()
	f := fakeshop.Start(fakeSecret)
	t.Cleanup(f.Close)
	shop := "bulk.myshopify.com"
	f.IssueToken(shop, "shpat_b")
	exp := time.Now().Add(time.Hour)
	store := &memStore{tokens: map[string]shopify.Tokens{shop: {AccessToken: "shpat_b", AccessTokenExpiresAt: &exp, RefreshToken: "r"}}}
	tc := &shopify.TokenClient{BaseURL: f.BaseURL(), APIKey: "key", APISecret: fakeSecret}
	return f, &shopify.Admin{Store: store, Tokens: tc, BaseURL: f.BaseURL(), APIVersion: "2026-10", Retries: 2}, shop
}

func waitBulk(t *testing.T, a *shopify.Admin, shop, id string) shopify.BulkOperation {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		op, err := a.GetBulkOperation(context.Background(), shop, id)
		if err != nil {
			t.Fatal(err)
		}
		if op.Done() {
			return op
		}
	}
	t.Fatal("bulk operation did not finish")
	return shopify.BulkOperation{}
}

// A bulk query against the fake, as against Shopify: started, finished (webhook and poll), its
// JSONL downloaded without a token; refused, failed and expired as Shopify does.
func TestBulkOperationLifecycle(t *testing.T) {
	f, admin, shop := bulkAdmin(t)
	ctx := context.Background()
	var hooks sync.Map
	f.OnBulkFinish(func(s string, body []byte) { hooks.Store(s, string(body)) })
	f.SetBulkResult(shop, func(w io.Writer) error {
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, `{"id":"gid://shopify/Order/%d"}`+"\n", i)
		}
		return nil
	})
	if _, err := admin.RunBulkQuery(ctx, shop, `{ shop { name } }`); !errors.Is(err, shopify.ErrBulkRefused) {
		t.Fatalf("a query without a connection: %v", err)
	}
	op, err := admin.RunBulkQuery(ctx, shop, `{ orders { edges { node { id } } } }`)
	if err != nil || op.ID == "" || op.Done() {
		t.Fatalf("run: %+v, %v", op, err)
	}
	done := waitBulk(t, admin, shop, op.ID)
	if done.Status != shopify.BulkCompleted || done.URL == "" {
		t.Fatalf("finished: %+v", done)
	}
	if body, _ := hooks.Load(shop); body == nil || !strings.Contains(body.(string), op.ID) || !strings.Contains(body.(string), `"status":"completed"`) {
		t.Fatalf("finish webhook: %v", body)
	}
	rc, err := shopify.OpenBulkResult(ctx, nil, done.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if strings.Count(string(b), "\n") != 3 {
		t.Fatalf("result: %q", b)
	}

	f.ExpireBulkResults(shop)
	if _, err := shopify.OpenBulkResult(ctx, nil, done.URL); err == nil {
		t.Fatal("an expired link downloaded")
	}
	f.FailNextBulk(shop, "INTERNAL_SERVER_ERROR")
	op, err = admin.RunBulkQuery(ctx, shop, `{ orders { edges { node { id } } } }`)
	if err != nil {
		t.Fatal(err)
	}
	if failed := waitBulk(t, admin, shop, op.ID); failed.Status != shopify.BulkFailed || failed.ErrorCode != "INTERNAL_SERVER_ERROR" || failed.URL != "" {
		t.Fatalf("failed operation: %+v", failed)
	}
}
