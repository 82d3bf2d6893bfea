// Package testenv gives tests real services: a private Postgres database migrated from a
// template, a private Redis database, and a configuration that points at both. Nothing is
// mocked; each test package gets its own database so packages run in parallel and leave
// nothing behind.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/models"
)

// Secrets used by every test: a current and a previous Shopify secret (for rotation tests).
const (
	APIKey         = "test-api-key"
	APISecret      = "test-api-secret"
	PreviousSecret = "test-previous-secret"
	EncryptionKey  = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
)

// DatabaseURL is the server tests use: TEST_DATABASE_URL, else DATABASE_URL, else local trust auth.
func DatabaseURL() string {
	for _, k := range []string{"TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the server tests use: TEST_REDIS_URL, else a redis-server this test process
// started (never the application's REDIS_URL or a shared 6379: tests flush what they lease).
func RedisURL() (string, error) {
	if v := os.Getenv("TEST_REDIS_URL"); v != "" {
		return v, nil
	}
	return privateRedisURL()
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

func withDB(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

// ensureTemplate migrates a template database once per process; concurrent test packages
// serialize on an advisory lock and reuse it when the migrations have not changed.
func ensureTemplate() (string, error) {
	templateOnce.Do(func() {
		admin, err := sql.Open("pgx", DatabaseURL())
		if err != nil {
			templateErr = err
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		conn, err := admin.Conn(ctx)
		if err != nil {
			templateErr = fmt.Errorf("connect to test Postgres at %s: %w", DatabaseURL(), err)
			return
		}
		defer conn.Close()
		if _, err = conn.ExecContext(ctx, `SELECT pg_advisory_lock(727272)`); err != nil {
			templateErr = err
			return
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(727272)`)
		name := "boomerang_tmpl_" + migrationsHash()
		var exists bool
		if err = conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
			templateErr = err
			return
		}
		if !exists {
			build := name + "_build"
			_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+build)
			if _, err = conn.ExecContext(ctx, `CREATE DATABASE `+build); err != nil {
				templateErr = err
				return
			}
			db, err := models.Open(withDB(DatabaseURL(), build), 4)
			if err != nil {
				templateErr = err
				return
			}
			err = models.Migrate(ctx, db)
			if sqlDB, e := db.DB(); e == nil {
				sqlDB.Close()
			}
			if err != nil {
				templateErr = err
				return
			}
			if _, err = conn.ExecContext(ctx, `ALTER DATABASE `+build+` RENAME TO `+name); err != nil {
				templateErr = err
				return
			}
		}
		templateName = name
	})
	return templateName, templateErr
}

// DB returns a fresh, migrated database for this test (or test package, if called from
// TestMain) and drops it afterwards.
func DB(t testing.TB) (*gorm.DB, string) {
	t.Helper()
	tmpl, err := ensureTemplate()
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	name := "boomerang_t_" + randHex(6)
	admin, err := sql.Open("pgx", DatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tmpl); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	dsn := withDB(DatabaseURL(), name)
	db, err := models.Open(dsn, 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
		a, err := sql.Open("pgx", DatabaseURL())
		if err == nil {
			_, _ = a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			a.Close()
		}
	})
	return db, dsn
}

// Redis returns a URL to a Redis database (1–15) that no other running test holds, flushed
// first, on a Redis started for tests (RedisURL). Databases are leased in database 0 with SET NX and a TTL that is kept alive while the
// test runs, so concurrent test packages (and several people's test runs on one machine) never
// share a queue; a crashed test's lease lapses after leaseTTL. When all are taken it waits.
func Redis(t testing.TB) string {
	t.Helper()
	base, err := RedisURL()
	if err != nil {
		t.Fatal(err)
	}
	opt, err := redis.ParseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	ctx := context.Background()
	token := randHex(8)
	first := int(time.Now().UnixNano() % 15)
	deadline := time.Now().Add(3 * time.Minute)
	dbn := 0
	for dbn == 0 {
		for i := 0; i < 15 && dbn == 0; i++ {
			n := (first+i)%15 + 1
			ok, err := c.SetNX(ctx, leaseKey(n), token, leaseTTL).Result()
			if err != nil {
				c.Close()
				t.Fatalf("test redis at %s: %v", base, err)
			}
			if ok {
				dbn = n
			}
		}
		if dbn == 0 {
			if time.Now().After(deadline) {
				c.Close()
				t.Fatal("test redis: every database 1-15 is leased by another test")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // keep the lease while the test runs
		defer close(done)
		tick := time.NewTicker(leaseTTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_ = renewLease.Run(ctx, c, []string{leaseKey(dbn)}, token, leaseTTL.Milliseconds()).Err()
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-done
		_ = releaseLease.Run(ctx, c, []string{leaseKey(dbn)}, token).Err()
		c.Close()
	})
	opt.DB = dbn
	c2 := redis.NewClient(opt)
	defer c2.Close()
	if err := c2.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	u.Path = fmt.Sprintf("/%d", dbn)
	return u.String()
}

const leaseTTL = 30 * time.Second

func leaseKey(n int) string { return fmt.Sprintf("boomerang:test:lease:%d", n) }

// Only the holder may renew or release a lease.
var (
	renewLease = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then
		return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`)
	releaseLease = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then
		return redis.call("DEL", KEYS[1]) end return 0`)
)

// Config returns a valid configuration pointing at the given database and Redis.
func Config(t testing.TB, dsn, redisURL string, overrides map[string]string) *config.Config {
	t.Helper()
	env := map[string]string{
		"BOOMERANG_ENV": "development", "SHOPIFY_API_KEY": APIKey, "SHOPIFY_API_SECRET": APISecret,
		"SHOPIFY_API_SECRET_PREVIOUS": PreviousSecret, "APP_URL": "http://127.0.0.1:0",
		"DATABASE_URL": dsn, "REDIS_URL": redisURL, "ENCRYPTION_KEY": EncryptionKey, "LOG_LEVEL": "warn",
	}
	for k, v := range overrides {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Shop names a unique shop domain for a test.
func Shop(prefix string) string {
	return strings.ToLower(prefix) + "-" + randHex(3) + ".myshopify.com"
}
