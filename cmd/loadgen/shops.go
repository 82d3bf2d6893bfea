package main

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// shopNames are the shops a run spreads its deliveries over.
func shopNames(o options) []string {
	shops := make([]string, o.Shops)
	for i := range shops {
		shops[i] = fmt.Sprintf("loadgen-%s-%d.myshopify.com", o.RunID, i)
	}
	return shops
}

// installShops registers the run's shops as installed in the server's database. A webhook
// never creates a shop (deliveries for unknown shops are acknowledged and dropped), so without
// this a run would measure drops, not stores.
func installShops(ctx context.Context, dsn string, shops []string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range shops {
		if _, err := db.ExecContext(ctx, `INSERT INTO shops (domain) VALUES ($1) ON CONFLICT (domain) DO NOTHING`, s); err != nil {
			return fmt.Errorf("install %s: %w", s, err)
		}
	}
	return nil
}
