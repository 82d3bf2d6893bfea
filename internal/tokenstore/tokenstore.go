// Package tokenstore keeps Shopify offline tokens in Postgres, sealed with AES-GCM. It is the
// adapter between shopify.TokenStore (platform side) and models (database side).
package tokenstore

import (
	"context"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/shopify"
)

type Store struct {
	DB     *gorm.DB
	Cipher *models.Cipher
}

var _ shopify.TokenStore = (*Store)(nil)

func (s *Store) Load(ctx context.Context, shop string) (shopify.Tokens, error) {
	row, err := models.LoadTokens(ctx, s.DB, shop)
	if err != nil {
		return shopify.Tokens{}, err
	}
	return s.open(shop, row)
}

func (s *Store) Update(ctx context.Context, shop string, fn func(shopify.Tokens) (shopify.Tokens, error)) (shopify.Tokens, error) {
	var out shopify.Tokens
	_, err := models.UpdateTokens(ctx, s.DB, shop, func(cur models.TokenRow) (models.TokenRow, error) {
		t, err := s.open(shop, cur)
		if err != nil {
			return cur, err
		}
		next, err := fn(t)
		if err != nil {
			return cur, err
		}
		out = next
		return s.seal(shop, next)
	})
	return out, err
}

// Save stores a fresh pair (after token exchange or the authorization-code grant).
func (s *Store) Save(ctx context.Context, shop string, t shopify.Tokens) error {
	_, err := s.Update(ctx, shop, func(shopify.Tokens) (shopify.Tokens, error) { return t, nil })
	return err
}

func (s *Store) open(shop string, row models.TokenRow) (shopify.Tokens, error) {
	t := shopify.Tokens{AccessTokenExpiresAt: row.AccessTokenExpiresAt, RefreshTokenExpiresAt: row.RefreshTokenExpiresAt, Scope: row.Scopes}
	if len(row.AccessToken) > 0 {
		b, err := s.Cipher.Open(row.AccessToken, []byte(shop))
		if err != nil {
			return t, err
		}
		t.AccessToken = string(b)
	}
	if len(row.RefreshToken) > 0 {
		b, err := s.Cipher.Open(row.RefreshToken, []byte(shop))
		if err != nil {
			return t, err
		}
		t.RefreshToken = string(b)
	}
	return t, nil
}

func (s *Store) seal(shop string, t shopify.Tokens) (models.TokenRow, error) {
	row := models.TokenRow{AccessTokenExpiresAt: t.AccessTokenExpiresAt, RefreshTokenExpiresAt: t.RefreshTokenExpiresAt, Scopes: t.Scope}
	var err error
	if t.AccessToken != "" {
		if row.AccessToken, err = s.Cipher.Seal([]byte(t.AccessToken), []byte(shop)); err != nil {
			return row, err
		}
	}
	if t.RefreshToken != "" {
		if row.RefreshToken, err = s.Cipher.Seal([]byte(t.RefreshToken), []byte(shop)); err != nil {
			return row, err
		}
	}
	return row, nil
}
