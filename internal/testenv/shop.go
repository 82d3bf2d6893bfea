package testenv

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	// Every domain joins the shop-wide registries (seeding, export, redaction) from its init,
	// so a test shop is seeded as the app seeds one, whichever domain the test is about.
	_ "github.com/boomerang-app/boomerang/models/loyalty"
	_ "github.com/boomerang-app/boomerang/models/messaging"
	_ "github.com/boomerang-app/boomerang/models/reviews"
)

// SeededShop installs a shop with a unique domain and every domain's defaults, and returns its id.
func SeededShop(t testing.TB, db *gorm.DB, prefix string) int64 {
	t.Helper()
	id, _, err := models.InstallShop(context.Background(), db, Shop(prefix))
	if err != nil {
		t.Fatal(err)
	}
	if err := models.SeedShop(context.Background(), db, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// NewShop is SeededShop in a database of its own.
func NewShop(t testing.TB, prefix string) (*gorm.DB, int64) {
	t.Helper()
	db, _ := DB(t)
	return db, SeededShop(t, db, prefix)
}
