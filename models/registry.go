package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Each part of the domain (loyalty, reviews, messaging) registers, from its own file's init,
// what it adds to four shop-wide operations: seeding a new shop with defaults, exporting a
// customer's data, redacting it, and settling what a shop that uninstalled leaves pending. The compliance and install code then never needs to know
// every table by name, and a new part cannot forget to take part.

// Seeder installs a part's default settings for a shop; it must be idempotent.
type Seeder func(ctx context.Context, tx *gorm.DB, shopID int64) error

// CustomerExporter returns a part's data about one customer for a data request.
type CustomerExporter func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) (any, error)

// CustomerRedactor erases or anonymises a part's personal data about one customer.
type CustomerRedactor func(ctx context.Context, tx *gorm.DB, shopID, customerID int64) error

// ShopLeaver settles a part's pending work for a shop that uninstalled, inside the transaction
// that records the uninstall.
type ShopLeaver func(tx *gorm.DB, shopID int64) error

type namedExporter struct {
	name string
	fn   CustomerExporter
}

var (
	seeders   []Seeder
	exporters []namedExporter
	redactors []CustomerRedactor
	leavers   []ShopLeaver
)

// RegisterSeeder, RegisterExporter, RegisterRedactor and RegisterShopLeaver are called from init
// functions only.
func RegisterSeeder(fn Seeder) { seeders = append(seeders, fn) }
func RegisterExporter(name string, fn CustomerExporter) {
	exporters = append(exporters, namedExporter{name, fn})
}
func RegisterRedactor(fn CustomerRedactor) { redactors = append(redactors, fn) }
func RegisterShopLeaver(fn ShopLeaver)     { leavers = append(leavers, fn) }

// SeedShop installs every part's defaults for a shop in one transaction, once.
func SeedShop(ctx context.Context, db *gorm.DB, shopID int64) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, fn := range seeders {
			if err := fn(ctx, tx, shopID); err != nil {
				return fmt.Errorf("seed shop %d: %w", shopID, err)
			}
		}
		return tx.Exec(`UPDATE shops SET seeded_at = COALESCE(seeded_at, ?) WHERE id = ?`, time.Now(), shopID).Error
	})
}
