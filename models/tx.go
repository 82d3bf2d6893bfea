package models

import (
	"context"

	"gorm.io/gorm"
)

// Tx is an open transaction. A function whose statements must commit or roll back together
// takes a Tx rather than a *gorm.DB, so the compiler refuses the pool where a transaction is
// meant; one that works either way keeps taking a *gorm.DB and is handed tx.Gorm().
type Tx struct{ g *gorm.DB }

// Gorm is the transaction as a *gorm.DB, for functions that work in or out of one. Their own
// nested Transaction calls join this one without savepoints: an error anywhere rolls back the
// whole transaction, which is what its callers retry.
func (t Tx) Gorm() *gorm.DB { return t.g }

// InTx runs fn in one transaction, committed when fn returns nil.
func InTx(ctx context.Context, db *gorm.DB, fn func(Tx) error) error {
	return db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		return fn(Tx{g.Session(&gorm.Session{DisableNestedTransaction: true})})
	})
}
