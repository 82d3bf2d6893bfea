package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// TokenRow is a shop's sealed offline token pair as stored.
type TokenRow struct {
	AccessToken           []byte
	AccessTokenExpiresAt  *time.Time
	RefreshToken          []byte
	RefreshTokenExpiresAt *time.Time
	Scopes                string
}

// LoadTokens reads the sealed tokens of an installed shop.
func LoadTokens(ctx context.Context, db *gorm.DB, domain string) (TokenRow, error) {
	var s Shop
	err := db.WithContext(ctx).Select("access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, scopes").
		Where("domain = ? AND status = ?", domain, ShopInstalled).First(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return TokenRow{}, NotFound("shop")
	}
	if err != nil {
		return TokenRow{}, fmt.Errorf("load tokens %s: %w", domain, err)
	}
	return TokenRow{s.AccessToken, s.AccessTokenExpiresAt, s.RefreshToken, s.RefreshTokenExpiresAt, s.Scopes}, nil
}

// UpdateTokens serializes token changes per shop with a transaction-scoped advisory lock: fn
// sees the tokens as stored after any concurrent refresh, and what it returns is saved in the
// same transaction, so the access/refresh pair is never half-written.
func UpdateTokens(ctx context.Context, db *gorm.DB, domain string, fn func(cur TokenRow) (TokenRow, error)) (TokenRow, error) {
	var out TokenRow
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('shop-token:' || ?))`, domain).Error; err != nil {
			return err
		}
		var s Shop
		if err := tx.Where("domain = ?", domain).First(&s).Error; err != nil {
			return err
		}
		cur := TokenRow{s.AccessToken, s.AccessTokenExpiresAt, s.RefreshToken, s.RefreshTokenExpiresAt, s.Scopes}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		out = next
		return tx.Model(&Shop{}).Where("id = ?", s.ID).Updates(map[string]any{
			"access_token": next.AccessToken, "access_token_expires_at": next.AccessTokenExpiresAt,
			"refresh_token": next.RefreshToken, "refresh_token_expires_at": next.RefreshTokenExpiresAt,
			"scopes": next.Scopes, "status": ShopInstalled, "uninstalled_at": nil, "updated_at": time.Now(),
		}).Error
	})
	if err != nil {
		return TokenRow{}, fmt.Errorf("update tokens %s: %w", domain, err)
	}
	return out, nil
}
