package models

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Shop is one installed store. Tokens are sealed with Cipher; never read them without it.
type Shop struct {
	ID                    int64
	Domain                string
	Name                  string
	Email                 string
	Currency              string
	Timezone              string
	Status                string
	Scopes                string
	AccessToken           []byte
	AccessTokenExpiresAt  *time.Time
	RefreshToken          []byte
	RefreshTokenExpiresAt *time.Time
	InstalledAt           time.Time
	UninstalledAt         *time.Time
	SeededAt              *time.Time
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

const (
	ShopInstalled   = "installed"
	ShopUninstalled = "uninstalled"
)

// shopIDs caches domain → id: the ingest path resolves a shop on every webhook and ids never
// change while the row lives (a redacted shop is evicted).
var shopIDs sync.Map

// EnsureShop returns the shop's id, creating the row the first time the shop is seen (a
// verified webhook or app load may be first: Shopify-managed install sends webhooks early).
// created is true only for the call that inserted it.
func EnsureShop(ctx context.Context, db *gorm.DB, domain string) (id int64, created bool, err error) {
	if v, ok := shopIDs.Load(domain); ok {
		return v.(int64), false, nil
	}
	var row struct{ ID int64 }
	res := db.WithContext(ctx).Raw(
		`INSERT INTO shops (domain) VALUES (?) ON CONFLICT (domain) DO NOTHING RETURNING id`, domain).Scan(&row)
	if res.Error != nil {
		return 0, false, fmt.Errorf("ensure shop %s: %w", domain, res.Error)
	}
	created = res.RowsAffected == 1
	if !created {
		if err := db.WithContext(ctx).Raw(`SELECT id FROM shops WHERE domain = ?`, domain).Scan(&row).Error; err != nil {
			return 0, false, fmt.Errorf("find shop %s: %w", domain, err)
		}
	}
	if row.ID == 0 {
		return 0, false, fmt.Errorf("ensure shop %s: no id", domain)
	}
	shopIDs.Store(domain, row.ID)
	return row.ID, created, nil
}

// ForgetShop drops a cached id, after the shop's rows were deleted.
func ForgetShop(domain string) { shopIDs.Delete(domain) }

// FindShop loads a shop by domain.
func FindShop(ctx context.Context, db *gorm.DB, domain string) (*Shop, error) {
	var s Shop
	err := db.WithContext(ctx).Where("domain = ?", domain).First(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, NotFound("shop")
	}
	if err != nil {
		return nil, fmt.Errorf("find shop %s: %w", domain, err)
	}
	return &s, nil
}

// GetShop loads a shop by id.
func GetShop(ctx context.Context, db *gorm.DB, id int64) (*Shop, error) {
	var s Shop
	err := db.WithContext(ctx).First(&s, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, NotFound("shop")
	}
	if err != nil {
		return nil, fmt.Errorf("get shop %d: %w", id, err)
	}
	return &s, nil
}

// MarkUninstalled records app/uninstalled: Shopify has already revoked the token, so it is deleted.
func MarkUninstalled(ctx context.Context, db *gorm.DB, shopID int64, at time.Time) error {
	return db.WithContext(ctx).Model(&Shop{}).Where("id = ?", shopID).Updates(map[string]any{
		"status": ShopUninstalled, "uninstalled_at": at, "access_token": nil, "access_token_expires_at": nil,
		"refresh_token": nil, "refresh_token_expires_at": nil, "updated_at": time.Now(),
	}).Error
}

// MarkInstalled records a (re)install: the app was loaded with a valid session, or a new token arrived.
func MarkInstalled(ctx context.Context, db *gorm.DB, shopID int64) error {
	return db.WithContext(ctx).Model(&Shop{}).Where("id = ? AND status <> ?", shopID, ShopInstalled).Updates(map[string]any{
		"status": ShopInstalled, "installed_at": time.Now(), "uninstalled_at": nil, "updated_at": time.Now(),
	}).Error
}

// SetScopes records the scopes Shopify says are granted (app/scopes_update, token responses).
func SetScopes(ctx context.Context, db *gorm.DB, shopID int64, scopes string) error {
	return db.WithContext(ctx).Model(&Shop{}).Where("id = ?", shopID).
		Updates(map[string]any{"scopes": scopes, "updated_at": time.Now()}).Error
}

// ShopProfile is what Shopify tells us about the shop itself.
type ShopProfile struct {
	Name, Email, Currency, Timezone string
}

// UpdateShopProfile stores name, contact email, currency and time zone when known.
func UpdateShopProfile(ctx context.Context, db *gorm.DB, shopID int64, p ShopProfile) error {
	set := map[string]any{"updated_at": time.Now()}
	for col, v := range map[string]string{"name": p.Name, "email": p.Email, "currency": p.Currency, "timezone": p.Timezone} {
		if v != "" {
			set[col] = v
		}
	}
	return db.WithContext(ctx).Model(&Shop{}).Where("id = ?", shopID).Updates(set).Error
}

// InstalledShopIDs lists shops that have the app installed, for nightly fan-out jobs.
func InstalledShopIDs(ctx context.Context, db *gorm.DB) ([]int64, error) {
	var ids []int64
	err := db.WithContext(ctx).Model(&Shop{}).Where("status = ?", ShopInstalled).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// DeleteShop erases every row of the shop (shop/redact). Tables reference shops with ON DELETE
// CASCADE, so one statement removes everything, atomically.
func DeleteShop(ctx context.Context, db *gorm.DB, shopID int64, domain string) error {
	err := db.WithContext(ctx).Clauses(clause.Returning{}).Where("id = ?", shopID).Delete(&Shop{}).Error
	ForgetShop(domain)
	if err != nil {
		return fmt.Errorf("delete shop %d: %w", shopID, err)
	}
	return nil
}

// UnseededShopIDs lists shops whose defaults were never installed (the install task was lost).
func UnseededShopIDs(ctx context.Context, db *gorm.DB) ([]int64, error) {
	var ids []int64
	err := db.WithContext(ctx).Model(&Shop{}).Where("seeded_at IS NULL AND status = ?", ShopInstalled).
		Order("id").Limit(1000).Pluck("id", &ids).Error
	return ids, err
}
