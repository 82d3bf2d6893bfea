package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/insights"
)

// runRefresh times the scorecard rollups of the seeded shop: a full rebuild (-rebuild) or the
// incremental refresh a scorecard request would do.
func runRefresh(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("refresh", flag.ExitOnError)
	db, shop := commonFlags(fs)
	rebuild := fs.Bool("rebuild", false, "rebuild everything instead of folding in recent changes")
	_ = fs.Parse(args)
	dsn, err := withDatabase(serverURL(), *db)
	if err != nil {
		return err
	}
	gdb, err := models.Open(dsn, 2)
	if err != nil {
		return err
	}
	sh, err := models.FindShop(ctx, gdb, *shop)
	if err != nil {
		return err
	}
	r, err := insights.RefreshMetrics(ctx, gdb, sh.ID, insights.RefreshOptions{Rebuild: *rebuild})
	if err != nil {
		return err
	}
	fmt.Printf("rebuilt=%v customers=%d days=%d took=%s\n", r.Rebuilt, r.Customers, r.Days, r.Took.Round(1e6))
	return nil
}
