package models

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrUnscoped is returned for a query on a shop-owned table that does not name its shop.
var ErrUnscoped = errors.New("query on a shop-owned table without a shop_id condition")

type allShopsKey struct{}

// AllShops marks a context whose queries may span shops: operator tasks only (the webhook
// sweeper, nightly fan-outs, `boomerang verify`). Everything a merchant can reach uses Scoped.
func AllShops(ctx context.Context) context.Context {
	return context.WithValue(ctx, allShopsKey{}, true)
}

// Scoped returns a session pinned to one shop: every statement through it carries
// `<table>.shop_id = id`, which is what makes the shop guard below pass.
func Scoped(ctx context.Context, db *gorm.DB, shopID int64) *gorm.DB {
	return db.WithContext(ctx).Scopes(ShopScope(shopID))
}

// ShopScope is the scope form of Scoped, for use inside transactions (tx.Scopes(ShopScope(id))).
func ShopScope(shopID int64) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		return db.Where(clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: "shop_id"}, Value: shopID})
	}
}

// FindOne loads the shop's one row of T whose column equals value. A missing row is
// NotFound(kind), which the HTTP edge answers with 404 "<kind> not found"; any other failure
// is wrapped as "get <kind> <value>".
func FindOne[T any](ctx context.Context, db *gorm.DB, shopID int64, kind, column string, value int64) (*T, error) {
	var row T
	err := Scoped(ctx, db, shopID).Where(column+" = ?", value).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, NotFound(kind)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %d: %w", kind, value, err)
	}
	return &row, nil
}

// registerShopGuard makes an unscoped query on a shop-owned model (one with a ShopID field)
// fail instead of silently reading or changing every shop's rows.
func registerShopGuard(db *gorm.DB) error {
	check := func(tx *gorm.DB) {
		st := tx.Statement
		if st.SQL.Len() > 0 { // Raw(...).Find(...): the statement is the caller's text
			checkRawSQL(tx)
			return
		}
		if st.Schema == nil || st.Schema.LookUpField("ShopID") == nil {
			return
		}
		if v, _ := st.Context.Value(allShopsKey{}).(bool); v {
			return
		}
		if w, ok := st.Clauses["WHERE"]; ok && mentionsShop(w.Expression) {
			return
		}
		_ = tx.AddError(ErrUnscoped)
	}
	cb := db.Callback()
	if err := cb.Query().Before("gorm:query").Register("boomerang:shop_guard", check); err != nil {
		return err
	}
	if err := cb.Update().Before("gorm:update").Register("boomerang:shop_guard", check); err != nil {
		return err
	}
	if err := cb.Delete().Before("gorm:delete").Register("boomerang:shop_guard", check); err != nil {
		return err
	}
	if err := cb.Raw().Before("gorm:raw").Register("boomerang:shop_guard_raw", checkRawSQL); err != nil {
		return err
	}
	if err := cb.Row().Before("gorm:row").Register("boomerang:shop_guard_raw", checkRawSQL); err != nil {
		return err
	}
	return cb.Create().Before("gorm:create").Register("boomerang:shop_guard_create", func(tx *gorm.DB) {
		st := tx.Statement
		if st.Schema == nil {
			return
		}
		f := st.Schema.LookUpField("ShopID")
		if f == nil || st.ReflectValue.Kind() == 0 {
			return
		}
		// Only single structs are checked: batch inserts are built by code that set ShopID on every row.
		if st.ReflectValue.Kind().String() == "struct" {
			if v, zero := f.ValueOf(st.Context, st.ReflectValue); zero || v == int64(0) {
				_ = tx.AddError(ErrUnscoped)
			}
		}
	})
}

func mentionsShop(e clause.Expression) bool {
	switch x := e.(type) {
	case clause.Where:
		for _, sub := range x.Exprs {
			if mentionsShop(sub) {
				return true
			}
		}
	case clause.AndConditions:
		for _, sub := range x.Exprs {
			if mentionsShop(sub) {
				return true
			}
		}
	case clause.Eq:
		return columnIsShop(x.Column)
	case clause.IN:
		return columnIsShop(x.Column)
	case clause.Expr:
		return strings.Contains(x.SQL, "shop_id")
	case clause.NamedExpr:
		return strings.Contains(x.SQL, "shop_id")
	}
	return false
}

func columnIsShop(c any) bool {
	switch col := c.(type) {
	case clause.Column:
		return col.Name == "shop_id"
	case string:
		return col == "shop_id" || strings.HasSuffix(col, ".shop_id")
	}
	return false
}
