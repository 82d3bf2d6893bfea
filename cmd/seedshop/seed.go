package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/internal/tokenstore"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/insights"
	"github.com/boomerang-app/boomerang/shopify"
)

var dbName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

type seedConfig struct {
	db, shop  string
	customers int
	orders    int
	years     int
	end       time.Time
	seed      uint64
	timezone  string
	drop      bool
	refresh   bool
}

func runSeed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	db, shop := commonFlags(fs)
	var cfg seedConfig
	fs.IntVar(&cfg.customers, "customers", 100000, "customers")
	fs.IntVar(&cfg.orders, "orders", 1000000, "orders (at least one per customer)")
	fs.IntVar(&cfg.years, "years", 3, "years of history, ending at -end")
	end := fs.String("end", time.Now().UTC().Format(time.DateOnly), "last day of the history")
	fs.Uint64Var(&cfg.seed, "seed", 1, "random seed (same seed, same data)")
	fs.StringVar(&cfg.timezone, "timezone", "America/New_York", "the shop's time zone")
	fs.BoolVar(&cfg.drop, "drop", false, "drop and recreate the database if it exists")
	fs.BoolVar(&cfg.refresh, "refresh", true, "build the scorecard rollups after loading")
	_ = fs.Parse(args)
	cfg.db, cfg.shop = *db, *shop
	if !dbName.MatchString(cfg.db) || cfg.db == "postgres" {
		return fmt.Errorf("-db %q: a plain lower-case database name other than postgres", cfg.db)
	}
	if cfg.customers < 1 || cfg.orders < cfg.customers {
		return fmt.Errorf("need at least one customer and one order per customer")
	}
	e, err := time.Parse(time.DateOnly, *end)
	if err != nil {
		return fmt.Errorf("-end: %w", err)
	}
	// The history ends at the end of that day, or an hour ago when that day is today: facts
	// stamped in the future would look "changed" to every incremental refresh until then.
	cfg.end = e.Add(24*time.Hour - time.Second)
	if now := time.Now().UTC().Add(-time.Hour).Truncate(time.Second); cfg.end.After(now) {
		cfg.end = now
	}
	return seed(ctx, cfg)
}

func seed(ctx context.Context, cfg seedConfig) error {
	start := time.Now()
	gdb, dsn, err := freshDatabase(ctx, cfg.db, cfg.drop)
	if err != nil {
		return err
	}
	shopID, err := createShop(ctx, gdb, cfg)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)

	t := time.Now()
	g := newGenerator(cfg, shopID)
	if err := g.loadMessageIDs(ctx, conn); err != nil {
		return err
	}
	g.generate()
	slog.Info("generated", "customers", len(g.customers), "orders", len(g.orders), "took", time.Since(t).Round(time.Millisecond))
	if err := g.copyAll(ctx, conn); err != nil {
		return err
	}
	t = time.Now()
	// A shop that grew over years has been vacuumed many times: statistics and visibility maps
	// as autovacuum would leave them (index-only scans depend on the latter).
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	slog.Info("vacuumed", "took", time.Since(t).Round(time.Millisecond))
	// The customer rows carry the order stats computed here; the gaps the segment filter reads
	// are filled by the app's own query, so they match what RefreshCustomerStats would store.
	// It runs after ANALYZE: without statistics the planner joins a million orders to every
	// refund one by one.
	t = time.Now()
	n, err := models.FillSegmentStats(ctx, gdb, shopID)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE customers`); err != nil {
		return fmt.Errorf("vacuum customers: %w", err)
	}
	slog.Info("segment stats filled", "customers", n, "took", time.Since(t).Round(time.Millisecond))
	if cfg.refresh {
		r, err := insights.RefreshMetrics(ctx, gdb, shopID, insights.RefreshOptions{Rebuild: true})
		if err != nil {
			return err
		}
		slog.Info("scorecard rollups built", "took", r.Took.Round(time.Millisecond))
		if _, err := conn.Exec(ctx, `VACUUM ANALYZE metrics_customers, metrics_daily, metrics_cohorts, metrics_decisions_daily`); err != nil {
			return err
		}
	}
	if err := saveToken(ctx, gdb, cfg.shop); err != nil {
		return err
	}
	slog.Info("seeded", "database", cfg.db, "shop", cfg.shop, "shop_id", shopID, "took", time.Since(start).Round(time.Second))
	return nil
}

// freshDatabase creates (or with drop recreates) a database, migrates it and opens it.
func freshDatabase(ctx context.Context, name string, drop bool) (*gorm.DB, string, error) {
	if err := createDatabase(ctx, name, drop); err != nil {
		return nil, "", err
	}
	dsn, err := withDatabase(serverURL(), name)
	if err != nil {
		return nil, "", err
	}
	gdb, err := models.Open(dsn, 4)
	if err != nil {
		return nil, "", err
	}
	return gdb, dsn, models.Migrate(ctx, gdb)
}

func createDatabase(ctx context.Context, name string, drop bool) error {
	// Create and drop from the server's maintenance database: DATABASE_URL may name the very
	// database being recreated, which Postgres refuses to drop while we are connected to it.
	admin, err := withDatabase(serverURL(), "postgres")
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", admin, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists && !drop {
		return fmt.Errorf("database %s exists: pass -drop to recreate it", name)
	}
	if exists {
		if _, err := conn.Exec(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}

// createShop installs the shop with every part's defaults, as the install job would.
func createShop(ctx context.Context, gdb *gorm.DB, cfg seedConfig) (int64, error) {
	id, _, err := models.InstallShop(ctx, gdb, cfg.shop)
	if err != nil {
		return 0, err
	}
	if err := gdb.WithContext(ctx).Exec(`UPDATE shops SET name = 'Bench Shop', email = 'owner@example.test', currency = 'USD',
		timezone = ?, installed_at = ? WHERE id = ?`, cfg.timezone, cfg.end.AddDate(-cfg.years, 0, 0), id).Error; err != nil {
		return 0, err
	}
	if err := models.SeedShop(ctx, gdb, id); err != nil {
		return 0, err
	}
	return id, nil
}

// saveToken gives the shop a sealed offline token (when ENCRYPTION_KEY is set), so the server
// does not try a token exchange with Shopify on the first admin request.
func saveToken(ctx context.Context, db *gorm.DB, shop string) error {
	key := os.Getenv("ENCRYPTION_KEY")
	if key == "" {
		slog.Warn("ENCRYPTION_KEY not set: no offline token stored; the server will attempt token exchange on its first request")
		return nil
	}
	raw, err := hex.DecodeString(key)
	if err != nil || len(raw) != 32 {
		return fmt.Errorf("ENCRYPTION_KEY: must be 64 hex characters")
	}
	cipher, err := models.NewCipher(raw)
	if err != nil {
		return err
	}
	far := time.Now().AddDate(10, 0, 0)
	store := &tokenstore.Store{DB: db, Cipher: cipher}
	return store.Save(ctx, shop, shopify.Tokens{AccessToken: "shpat_bench", AccessTokenExpiresAt: &far,
		RefreshToken: "shprt_bench", RefreshTokenExpiresAt: &far, Scope: "read_orders,read_customers"})
}
