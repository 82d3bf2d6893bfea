package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/boomerang-app/boomerang/delivery/mailsink"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify/fakeshop"
)

const demoShop = "demo.myshopify.com"

// devDefaults are the settings `boomerang dev` uses for whatever the environment leaves unset.
// They are for a developer's machine only: the secret and key below protect nothing.
var devDefaults = map[string]string{
	"BOOMERANG_ENV":      "development",
	"SHOPIFY_API_KEY":    "boomerang-dev-key",
	"SHOPIFY_API_SECRET": "boomerang-dev-secret",
	"ENCRYPTION_KEY":     strings.Repeat("0d", 32),
	"PORT":               "8080",
	"LOG_LEVEL":          "info",
}

// runDev runs everything in one process against a fake Shopify Admin API (unless
// SHOPIFY_BASE_URL points elsewhere) and fills a demo shop through the real webhook path.
func runDev(ctx context.Context) error {
	env := map[string]string{}
	for k, v := range devDefaults {
		env[k] = v
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && v != "" {
			env[k] = v
		}
	}
	if env["APP_URL"] == "" {
		env["APP_URL"] = "http://localhost:" + env["PORT"]
	}
	var fake *fakeshop.Server
	if env["SHOPIFY_BASE_URL"] == "" {
		fake = fakeshop.Start(env["SHOPIFY_API_SECRET"])
		defer fake.Close()
		env["SHOPIFY_BASE_URL"] = fake.BaseURL()
	}
	var sink *mailsink.Sink
	if env["SMTP_URL"] == "" && env["BOOMERANG_ENV"] == "development" {
		var err error
		store := env["DEV_MAIL_FILE"]
		if store == "" {
			store = filepath.Join(".dev", "mail.jsonl")
		}
		if err := os.MkdirAll(filepath.Dir(store), 0o755); err != nil {
			return fmt.Errorf("dev mail catcher: %w", err)
		}
		if sink, err = mailsink.Listen("127.0.0.1:0", mailsink.Keep(devMailKeep), mailsink.Persist(store)); err != nil {
			return fmt.Errorf("dev mail catcher: %w", err)
		}
		defer sink.Close()
		env["SMTP_URL"] = sink.URL()
	}
	a, err := newApp(func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	defer a.close()
	a.devMail = sink
	if err := models.Migrate(ctx, a.db); err != nil {
		return err
	}
	if fake != nil {
		demoHistory(ctx, a, fake)
		if err := installDemoToken(ctx, a, fake); err != nil {
			return err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runAll(gctx, a) })
	g.Go(func() error {
		base := fmt.Sprintf("http://127.0.0.1:%d", a.cfg.Port)
		if err := waitReady(gctx, base); err != nil {
			return err
		}
		if err := loadDemo(gctx, a, base); err != nil {
			a.log.Error("demo data not loaded", "error", err)
		} else if err := demoStories(gctx, a, base, fake); err != nil {
			a.log.Error("demo stories not played", "error", err)
		}
		mailNote := "sent through SMTP_URL"
		if sink != nil {
			mailNote = a.cfg.AppURL + "/dev/mail"
		}
		fmt.Printf("\n  Boomerang is running.\n  Open the admin:  %s/?shop=%s\n  Mail it sent:    %s\n  Jobs dashboard:  %s/ops/jobs\n  Stop with Ctrl-C.\n\n",
			a.cfg.AppURL, demoShop, mailNote, a.cfg.AppURL)
		return nil
	})
	return g.Wait()
}

// demoHistory gives the demo shop two years of orders before install, which the app imports
// the way it would a real store's: a bulk operation whose end the fake announces with the
// bulk_operations/finish webhook.
func demoHistory(ctx context.Context, a *app, fake *fakeshop.Server) {
	now := time.Now().UTC()
	fake.SetBulkResult(demoShop, fakeshop.OrderHistory(fakeshop.HistorySpec{Orders: 2400, Customers: 300,
		From: now.AddDate(-2, 0, 0), To: now.AddDate(0, 0, -1), Seed: 11}))
	base := fmt.Sprintf("http://127.0.0.1:%d", a.cfg.Port)
	fake.OnSubscriptionUpdate(func(shop string, body []byte) {
		id := fmt.Sprintf("app-subscription-%d", time.Now().UnixNano())
		if err := postDemo(ctx, a, base, "app_subscriptions/update", id, json.RawMessage(body)); err != nil {
			a.log.Warn("app_subscriptions/update not delivered; the admin asks Shopify instead", "error", err)
		}
	})
	fake.OnBulkFinish(func(shop string, body []byte) {
		id := fmt.Sprintf("bulk-finish-%d", time.Now().UnixNano())
		if err := postDemo(ctx, a, base, "bulk_operations/finish", id, json.RawMessage(body)); err != nil {
			a.log.Warn("bulk_operations/finish not delivered; the import polls instead", "error", err)
		}
	})
}

// installDemoToken gives the demo shop an expiring offline token issued by the fake, the
// same way token exchange would on a real first app load.
func installDemoToken(ctx context.Context, a *app, fake *fakeshop.Server) error {
	id, _, err := models.InstallShop(ctx, a.db, demoShop)
	if err != nil {
		return err
	}
	fake.IssueToken(demoShop, "shpat_demo_legacy")
	t, err := a.admin.Tokens.MigrateLegacy(ctx, demoShop, "shpat_demo_legacy")
	if err != nil {
		return fmt.Errorf("demo token: %w", err)
	}
	if err := a.tokens.Save(ctx, demoShop, t); err != nil {
		return err
	}
	return a.queue.EnqueueInstall(ctx, id) // seeds defaults and fetches the profile from the fake
}

func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if err := httpGetOK(ctx, base+"/healthz"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("server did not come up at %s", base)
}
