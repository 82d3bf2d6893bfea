package main

import (
	"context"

	"golang.org/x/sync/errgroup"

	"github.com/boomerang-app/boomerang/config"
	"github.com/boomerang-app/boomerang/models"
)

func runMigrate(ctx context.Context, getenv config.Getenv) error {
	a, err := newApp(getenv)
	if err != nil {
		return err
	}
	defer a.close()
	return models.Migrate(ctx, a.db)
}

func runServe(ctx context.Context, getenv config.Getenv) error {
	a, err := newApp(getenv)
	if err != nil {
		return err
	}
	defer a.close()
	return a.serveHTTP(ctx, a.httpServer())
}

func runWorker(ctx context.Context, getenv config.Getenv) error {
	a, err := newApp(getenv)
	if err != nil {
		return err
	}
	defer a.close()
	return a.runJobs(ctx)
}

// runAll is serve + worker in one process (used by dev).
func runAll(ctx context.Context, a *app) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.serveHTTP(gctx, a.httpServer()) })
	g.Go(func() error { return a.runJobs(gctx) })
	return g.Wait()
}

func runVerify(ctx context.Context, getenv config.Getenv) error {
	a, err := newApp(getenv)
	if err != nil {
		return err
	}
	defer a.close()
	return verifyAll(ctx, a)
}
