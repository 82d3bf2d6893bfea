package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynq/x/metrics"
	"github.com/hibiken/asynqmon"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/delivery/mailsink"
	"github.com/boomerang-app/boomerang/handlers"
	"github.com/boomerang-app/boomerang/internal/tokenstore"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

// app is the wiring shared by every command.
type app struct {
	cfg       *config.Config
	log       *slog.Logger
	db        *gorm.DB
	queue     *jobs.Queue
	redisOpt  asynq.RedisConnOpt
	cipher    *models.Cipher
	tokens    *tokenstore.Store
	admin     *shopify.Admin
	inspector *asynq.Inspector
	devMail   *mailsink.Sink // `boomerang dev` without SMTP_URL: where mail goes instead
}

func newApp(getenv config.Getenv) (*app, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	log := newLogger(cfg)
	slog.SetDefault(log)
	db, err := models.Open(cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return nil, err
	}
	q, opt, err := jobs.NewQueue(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	cipher, err := models.NewCipher(cfg.EncryptionKey)
	if err != nil {
		return nil, err
	}
	tokens := &tokenstore.Store{DB: db, Cipher: cipher}
	tc := &shopify.TokenClient{BaseURL: cfg.ShopifyBaseURL, APIKey: cfg.ShopifyAPIKey, APISecret: cfg.ShopifyAPISecret}
	admin := &shopify.Admin{Store: tokens, Tokens: tc, BaseURL: cfg.ShopifyBaseURL, APIVersion: cfg.ShopifyAPIVersion, Retries: 3}
	return &app{cfg: cfg, log: log, db: db, queue: q, redisOpt: opt, cipher: cipher, tokens: tokens, admin: admin}, nil
}

func (a *app) close() {
	_ = a.queue.Close()
	if a.inspector != nil {
		_ = a.inspector.Close()
	}
	if sqlDB, err := a.db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}

func newLogger(cfg *config.Config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stdout, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stdout, opts))
}

func (a *app) worker() *jobs.Worker {
	return &jobs.Worker{Cfg: a.cfg, DB: a.db, Queue: a.queue, Admin: a.admin, Log: a.log, OnUninstall: handlers.ForgetShopToken}
}

func (a *app) httpServer() *echo.Echo {
	// Queue depth and latency per queue, read from Redis at scrape time.
	a.inspector = asynq.NewInspector(a.redisOpt)
	if err := prometheus.Register(metrics.NewQueueMetricsCollector(a.inspector)); err != nil {
		a.log.Warn("queue metrics not registered", "error", err)
	}
	if err := prometheus.Register(handlers.FailedWebhooksCollector(a.db)); err != nil {
		a.log.Warn("failed-webhook metrics not registered", "error", err)
	}
	return handlers.New(handlers.Deps{Cfg: a.cfg, DB: a.db, Queue: a.queue, Admin: a.admin, Tokens: a.tokens,
		Cipher: a.cipher, Log: a.log, Extra: func(e *echo.Echo, ops echo.MiddlewareFunc) {
			mon := asynqmon.New(asynqmon.Options{RootPath: "/ops/jobs", RedisConnOpt: a.redisOpt})
			e.Any("/ops/jobs", echo.WrapHandler(mon), ops)
			e.Any("/ops/jobs/*", echo.WrapHandler(mon), ops)
			if a.devMail != nil {
				devMailRoutes(e, a.devMail)
			}
		}})
}

// serveHTTP runs the server until ctx ends, then drains in-flight requests.
func (a *app) serveHTTP(ctx context.Context, e *echo.Echo) error {
	srv := &http.Server{Addr: fmt.Sprintf(":%d", a.cfg.Port), Handler: e, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.log.Info("http listening", "port", a.cfg.Port, "env", a.cfg.Env, "version", version)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("http stopped")
	return nil
}

// runJobs runs the Asynq server and scheduler until ctx ends; unfinished tasks go back to Redis.
func (a *app) runJobs(ctx context.Context) error {
	w := a.worker()
	srv := w.NewServer(a.redisOpt)
	if err := srv.Start(w.Mux()); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	sched, err := w.NewScheduler(a.redisOpt)
	if err != nil {
		return err
	}
	if err := sched.Start(); err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	stopDrains := w.StartDrains(a.cfg.DrainWorkers)
	a.log.Info("worker running", "concurrency", a.cfg.WorkerConcurrency, "drains", a.cfg.DrainWorkers)
	<-ctx.Done()
	stopDrains()
	sched.Shutdown()
	srv.Shutdown()
	a.log.Info("worker stopped")
	return nil
}
