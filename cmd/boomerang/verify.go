package main

import (
	"context"

	"github.com/boomerang-app/boomerang/models/loyalty"
)

// verifyAll checks the invariants every part declares: the loyalty ledger first of all (every
// account's balance is the sum of its entries, lots and running balances agree, no order nets
// below zero, redemptions match their entries). The error names the first bad account.
func verifyAll(ctx context.Context, a *app) error {
	n, err := loyalty.VerifyLedger(ctx, a.db)
	if err != nil {
		return err
	}
	a.log.Info("verify: ledger invariants hold", "accounts", n)
	return nil
}
