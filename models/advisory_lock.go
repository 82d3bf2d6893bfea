package models

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// LockKey maps a name and ids to a Postgres advisory lock key.
func LockKey(name string, ids ...int64) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	for _, id := range ids {
		fmt.Fprintf(h, ":%d", id)
	}
	return int64(h.Sum64())
}

// WithRunLock runs fn while holding the advisory lock key on one pinned connection, across
// processes; the lock ends with fn. With wait it queues behind the holder; without, ok is false
// and fn is not run when another run holds it.
func WithRunLock(ctx context.Context, db *gorm.DB, key int64, wait bool, fn func() error) (ok bool, err error) {
	err = db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if wait {
			if err := conn.Exec(`SELECT pg_advisory_lock(?)`, key).Error; err != nil {
				return err
			}
			ok = true
		} else if err := conn.Raw(`SELECT pg_try_advisory_lock(?)`, key).Scan(&ok).Error; err != nil || !ok {
			return err
		}
		defer conn.Exec(`SELECT pg_advisory_unlock(?)`, key)
		return fn()
	})
	return ok, err
}

// lockOrders takes the orders' advisory locks until tx ends, in id order. Every fact about an
// order (the order, its refunds, its fulfillments) is written under its lock, so a refund that
// arrives while a drained batch is storing and settling its order waits for the batch to commit,
// then finds the order; without it the refund could miss the order, and the batch the refund.
func lockOrders(ctx context.Context, tx *gorm.DB, shopID int64, orderIDs []int64) error {
	ids := slices.Compact(slices.Sorted(slices.Values(orderIDs)))
	if len(ids) == 0 {
		return nil
	}
	rows := make([]string, len(ids))
	keys := make([]any, len(ids))
	for i, id := range ids {
		rows[i], keys[i] = "(?::bigint)", LockKey("order", shopID, id)
	}
	return tx.WithContext(ctx).Exec(`SELECT pg_advisory_xact_lock(k) FROM (VALUES `+strings.Join(rows, ", ")+`) AS v (k)`, keys...).Error
}

// underOrderLock runs fn in a transaction (or in db's own) holding the order's lock.
func underOrderLock(ctx context.Context, db *gorm.DB, shopID, orderID int64, fn func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockOrders(ctx, tx, shopID, []int64{orderID}); err != nil {
			return err
		}
		return fn(tx)
	})
}
