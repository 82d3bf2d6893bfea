package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Shop is one installed store. Tokens are sealed with Cipher; never read them without it.
type Shop struct {
	ID                    int64
	Domain                string
	Name                  string
	Email                 string
	Currency              string
	Timezone              string
	PrimaryLocale         string
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

// InstallShop returns the shop's id, creating a fresh record when the shop is not known: an
// install (a new offline token, a valid session from Shopify's admin) is the only thing that
// may create a shop. A shop erased by shop/redact starts over: its tombstone is removed.
// created is true only for the call that inserted the row.
func InstallShop(ctx context.Context, db *gorm.DB, domain string) (id int64, created bool, err error) {
	if id, err = shopIDByDomain(ctx, db, domain); err != nil || id != 0 {
		return id, false, err
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Raw(`INSERT INTO shops (domain) VALUES (?) ON CONFLICT (domain) DO NOTHING RETURNING id`, domain).Scan(&id)
		if res.Error != nil {
			return res.Error
		}
		if created = res.RowsAffected == 1; !created { // another install got there first
			return tx.Raw(`SELECT id FROM shops WHERE domain = ?`, domain).Scan(&id).Error
		}
		return tx.Exec(`DELETE FROM shop_tombstones WHERE domain = ?`, domain).Error
	})
	if err != nil {
		return 0, false, fmt.Errorf("install shop %s: %w", domain, err)
	}
	return id, created, nil
}

// LookupShop returns the id of a known, installed shop without creating anything: the app
// proxy and every other door that is not an install use it. A shop that is unknown, erased or
// uninstalled is NotFound.
func LookupShop(ctx context.Context, db *gorm.DB, domain string) (int64, error) {
	var id int64
	err := db.WithContext(ctx).Raw(`SELECT id FROM shops WHERE domain = ? AND status = ?`, domain, ShopInstalled).Scan(&id).Error
	if err != nil {
		return 0, fmt.Errorf("find shop %s: %w", domain, err)
	}
	if id == 0 {
		return 0, NotFound("shop")
	}
	return id, nil
}

func shopIDByDomain(ctx context.Context, db *gorm.DB, domain string) (int64, error) {
	var id int64
	if err := db.WithContext(ctx).Raw(`SELECT id FROM shops WHERE domain = ?`, domain).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("find shop %s: %w", domain, err)
	}
	return id, nil
}

// IsTombstoned reports whether the shop was erased by shop/redact and not installed since.
func IsTombstoned(ctx context.Context, db *gorm.DB, domain string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM shop_tombstones WHERE domain = ?`, domain).Scan(&n).Error
	return n > 0, err
}

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

// MarkUninstalled records app/uninstalled: Shopify has already revoked the token, so it is
// deleted, and every part settles what it left pending (messaging: every message still waiting
// to go out in the shop's name is skipped), in the same transaction. Claims check the shop's status too, so a
// message decided by a job racing the uninstall cannot be sent after it either.
func MarkUninstalled(ctx context.Context, db *gorm.DB, shopID int64, at time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Shop{}).Where("id = ?", shopID).Updates(map[string]any{
			"status": ShopUninstalled, "uninstalled_at": at, "access_token": nil, "access_token_expires_at": nil,
			"refresh_token": nil, "refresh_token_expires_at": nil, "updated_at": time.Now(),
		}).Error; err != nil {
			return err
		}
		for _, leave := range leavers {
			if err := leave(tx, shopID); err != nil {
				return fmt.Errorf("settle shop %d after uninstall: %w", shopID, err)
			}
		}
		return nil
	})
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
	PrimaryLocale                   string // with read_locales; shoppers of unknown language are written to in it
}

// UpdateShopProfile stores name, contact email, currency, time zone and primary locale when known.
func UpdateShopProfile(ctx context.Context, db *gorm.DB, shopID int64, p ShopProfile) error {
	set := map[string]any{"updated_at": time.Now()}
	for col, v := range map[string]string{"name": p.Name, "email": p.Email, "currency": p.Currency, "timezone": p.Timezone,
		"primary_locale": p.PrimaryLocale} {
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

// DeleteShop erases every row of the shop (shop/redact) and leaves a tombstone of its domain, so
// that no late delivery re-creates it. Tables reference shops with ON DELETE CASCADE, so one
// statement removes everything, atomically with the tombstone.
func DeleteShop(ctx context.Context, db *gorm.DB, shopID int64, domain string) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO shop_tombstones (domain) VALUES (?)
			ON CONFLICT (domain) DO UPDATE SET redacted_at = now()`, domain).Error; err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM shops WHERE id = ?`, shopID).Error
	})
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

// SetUpShop seeds a new shop's defaults and, where Shopify answers, reads its profile. A
// profile Shopify could not give (no token yet: a webhook can come before the first app load)
// waits for shop/update or the next install run; its error is returned apart.
func SetUpShop(ctx context.Context, db *gorm.DB, profiles ShopProfileSource, shopID int64) (profileErr, err error) {
	sh, err := GetShop(ctx, db, shopID)
	if err != nil {
		return nil, err
	}
	if err := SeedShop(ctx, db, shopID); err != nil {
		return nil, err
	}
	if profiles == nil {
		return nil, nil
	}
	prof, err := profiles.ShopProfile(ctx, sh.Domain)
	if err != nil {
		return err, nil
	}
	return nil, UpdateShopProfile(ctx, db, shopID, prof)
}
