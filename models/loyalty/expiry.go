package loyalty

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// Points expiry, run nightly per shop.
//   - inactivity: every spendable point expires once the account has had no activity (earning
//     or spending) for the period;
//   - batch: each credit expires its period after it was earned.
// Pending points never expire. Turning expiry on for a live program expires nothing until one
// full period later (ProgramSettings.ExpirySince). Reminders (points_expiring events) go out the
// configured number of days before, one per customer, expiry date and reminder day.

// expiryCandidatesSlack widens the SQL prefilter around the exact month arithmetic done in Go.
const expiryCandidatesSlack = 4 * 24 * time.Hour

// expirePoints expires what is due at `now` in one shop and returns the points expired.
func expirePoints(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID int64, now time.Time) (int64, error) {
	if set.ExpiryMode == ExpiryOff || set.ExpirySince == nil || set.ExpiryMonths <= 0 {
		return 0, nil
	}
	if addMonths(*set.ExpirySince, set.ExpiryMonths).After(now) {
		return 0, nil
	}
	var custs []int64
	var err error
	if set.ExpiryMode == ExpiryBatch {
		err = db.WithContext(ctx).Raw(`SELECT DISTINCT customer_id FROM ledger_entries WHERE shop_id = ? AND remaining > 0
			AND expires_at <= ? AND available_at <= ? ORDER BY customer_id`, shopID, now, now).Scan(&custs).Error
	} else {
		err = db.WithContext(ctx).Raw(`SELECT customer_id FROM loyalty_accounts WHERE shop_id = ? AND balance > 0
			AND COALESCE(last_activity_at, created_at) <= ? ORDER BY customer_id`,
			shopID, addMonths(now, -set.ExpiryMonths).Add(expiryCandidatesSlack)).Scan(&custs).Error
	}
	if err != nil {
		return 0, fmt.Errorf("expiry candidates of shop %d: %w", shopID, err)
	}
	var total int64
	for _, c := range custs {
		n, err := expireAccount(ctx, db, set, shopID, c, now)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// expireAccount expires one customer's due points (one entry per customer and night).
func expireAccount(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID, customerID int64, now time.Time) (int64, error) {
	var expired int64
	err := withBook(ctx, db, set, shopID, customerID, now, func(b *book) error {
		if err := b.loadLots(); err != nil {
			return err
		}
		var due []*lot
		switch set.ExpiryMode {
		case ExpiryBatch:
			for _, l := range b.lots {
				if l.ExpiresAt != nil && !l.ExpiresAt.After(now) && !l.AvailableAt.After(now) {
					due = append(due, l)
				}
			}
		case ExpiryInactivity:
			if at := set.inactivityExpiry(b.acct); at == nil || at.After(now) {
				return nil
			}
			for _, l := range b.lots {
				if !l.AvailableAt.After(now) {
					due = append(due, l)
				}
			}
		}
		var n int64
		for _, l := range due {
			n += l.Remaining
		}
		if n == 0 {
			return nil
		}
		slices.SortFunc(due, func(x, y *lot) int {
			if lotBefore(x, y) {
				return -1
			}
			return 1
		})
		_, ins, err := b.debit(posting{Kind: EntryExpire, SourceType: SourceExpiry,
			SourceID: strconv.FormatInt(customerID, 10) + ":" + now.Format(time.DateOnly), Reason: set.ExpiryMode + " expiry"},
			n, func(*book, []*lot) []*lot { return due })
		if ins {
			expired = n
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expire points of %d: %w", customerID, err)
	}
	return expired, nil
}

// Expiring is a number of points that expire at one time.
type Expiring struct {
	Points    int64     `json:"points"`
	ExpiresAt time.Time `json:"expires_at"`
}

// expiringOf lists what an account will lose and when, soonest first (pending points included
// in inactivity mode: they will be spendable, and so expirable, by then).
func expiringOf(set ProgramSettings, a LoyaltyAccount, lots []*lot) []Expiring {
	switch set.ExpiryMode {
	case ExpiryInactivity:
		at := set.inactivityExpiry(a)
		var n int64
		for _, l := range lots {
			n += l.Remaining
		}
		if at == nil || n == 0 {
			return []Expiring{}
		}
		return []Expiring{{Points: n, ExpiresAt: *at}}
	case ExpiryBatch:
		byDay := map[string]*Expiring{}
		var out []*Expiring
		for _, l := range lots {
			if l.ExpiresAt == nil || l.Remaining == 0 {
				continue
			}
			day := l.ExpiresAt.UTC().Format(time.DateOnly)
			e := byDay[day]
			if e == nil {
				e = &Expiring{ExpiresAt: *l.ExpiresAt}
				byDay[day] = e
				out = append(out, e)
			}
			e.Points += l.Remaining
			if l.ExpiresAt.Before(e.ExpiresAt) {
				e.ExpiresAt = *l.ExpiresAt
			}
		}
		slices.SortFunc(out, func(x, y *Expiring) int { return x.ExpiresAt.Compare(y.ExpiresAt) })
		res := make([]Expiring, len(out))
		for i, e := range out {
			res[i] = *e
		}
		return res
	}
	return []Expiring{}
}

// RemindExpiring emits points_expiring events for points that expire within the largest
// reminder lead: for each customer and expiry date, the reminder of the smallest lead that has
// been reached, so a missed night still reminds and a late switch-on does not send both at once.
func RemindExpiring(ctx context.Context, db *gorm.DB, shopID int64, now time.Time) (int, error) {
	set, err := LoadLoyaltySettings(ctx, db, shopID)
	if err != nil {
		return 0, err
	}
	return remindExpiring(ctx, db, set, shopID, now.UTC())
}

func remindExpiring(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID int64, now time.Time) (int, error) {
	if set.ExpiryMode == ExpiryOff || set.ExpirySince == nil || len(set.ReminderDays) == 0 {
		return 0, nil
	}
	lead := slices.Max(set.ReminderDays)
	horizon := now.AddDate(0, 0, lead)
	type due struct {
		customer int64
		Expiring
	}
	var dues []due
	switch set.ExpiryMode {
	case ExpiryBatch:
		var rows []struct {
			CustomerID int64
			ExpiresAt  time.Time
			Remaining  int64
		}
		err := db.WithContext(ctx).Raw(`SELECT customer_id, expires_at, remaining FROM ledger_entries WHERE shop_id = ?
			AND remaining > 0 AND expires_at > ? AND expires_at <= ? ORDER BY customer_id, expires_at`,
			shopID, now, horizon).Scan(&rows).Error
		if err != nil {
			return 0, fmt.Errorf("expiring batches of shop %d: %w", shopID, err)
		}
		idx := map[string]int{}
		for _, r := range rows {
			k := strconv.FormatInt(r.CustomerID, 10) + "|" + r.ExpiresAt.UTC().Format(time.DateOnly)
			i, ok := idx[k]
			if !ok {
				idx[k] = len(dues)
				dues = append(dues, due{r.CustomerID, Expiring{0, r.ExpiresAt}})
				i = len(dues) - 1
			}
			dues[i].Points += r.Remaining
		}
	case ExpiryInactivity:
		var accts []LoyaltyAccount
		err := db.WithContext(ctx).Raw(`SELECT `+accountCols+` FROM loyalty_accounts WHERE shop_id = ? AND balance > 0
			AND COALESCE(last_activity_at, created_at) <= ? ORDER BY customer_id`,
			shopID, addMonths(horizon, -set.ExpiryMonths).Add(expiryCandidatesSlack)).Scan(&accts).Error
		if err != nil {
			return 0, fmt.Errorf("expiring accounts of shop %d: %w", shopID, err)
		}
		for _, a := range accts {
			if at := set.inactivityExpiry(a); at != nil && at.After(now) && !at.After(horizon) {
				dues = append(dues, due{a.CustomerID, Expiring{a.Balance, *at}})
			}
		}
	}
	days := slices.Clone(set.ReminderDays)
	slices.Sort(days)
	sent := 0
	for _, d := range dues {
		left := int(math.Ceil(d.ExpiresAt.Sub(now).Hours() / 24))
		pick := -1
		for _, rd := range days {
			if left <= rd {
				pick = rd
				break
			}
		}
		if pick < 0 {
			continue
		}
		key := fmt.Sprintf("%d:%s:%d", d.customer, d.ExpiresAt.UTC().Format(time.DateOnly), pick)
		created, err := models.Emit(ctx, db, shopID, d.customer, key,
			models.PointsExpiringPayload{Points: d.Points, ExpiresAt: d.ExpiresAt.UTC(), DaysBefore: pick}, now)
		if err != nil {
			return sent, err
		}
		if created {
			sent++
		}
	}
	return sent, nil
}
