package loyalty

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// The points ledger. Every change of a customer's points is one appended entry with a unique
// business key; the account's balance is updated in the same transaction, under the account's
// row lock, so balance = sum(entries) at every commit. Credits are lots: their unspent part
// (`remaining`) is consumed by debits, oldest-expiring first, which is what makes "which points
// expire when" exact.

// Ledger entry kinds.
const (
	EntryEarn     = "earn"
	EntryBonus    = "bonus"
	EntryRedeem   = "redeem"
	EntryClawback = "clawback"
	EntryReversal = "reversal"
	EntryExpire   = "expire"
	EntryAdjust   = "adjust"
)

// Ledger source types: what caused an entry. With the source id and kind they form the key.
const (
	SourceOrder          = "order"
	SourceRefund         = "refund"
	SourceRedemption     = "redemption"
	SourceExpiry         = "expiry"
	SourceAdjustment     = "adjustment"
	SourceReferral       = "referral"        // the referrer's reward, per friend
	SourceReferralFriend = "referral_friend" // the friend's welcome points, per friend
	BonusSignup          = "signup"
	BonusFirstReview     = "first_review"
	BonusReferral        = "referral"
	BonusBirthday        = "birthday"
)

// LoyaltyAccount is a customer's points account.
type LoyaltyAccount struct {
	ShopID         int64      `json:"-"`
	CustomerID     int64      `json:"customer_id"`
	Balance        int64      `json:"balance"`
	Tier           string     `json:"tier"`
	TierSince      *time.Time `json:"tier_since"`
	TierVersion    int        `json:"-"`
	TierFloor      string     `json:"tier_floor,omitempty"` // a tier carried over from another app, kept until TierFloorUntil
	TierFloorUntil *time.Time `json:"tier_floor_until,omitempty"`
	LastActivityAt *time.Time `json:"last_activity_at"`
	ReferralCode   *string    `json:"referral_code"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// LedgerEntry is one line of the ledger.
type LedgerEntry struct {
	ID           int64           `json:"id"`
	ShopID       int64           `json:"-"`
	CustomerID   int64           `json:"customer_id"`
	Kind         string          `json:"kind"`
	Points       int64           `json:"points"`
	BalanceAfter int64           `json:"balance_after"`
	Remaining    int64           `json:"remaining"`
	Amount       decimal.Decimal `json:"amount"`
	OrderID      *int64          `json:"order_id,omitempty"`
	SourceType   string          `json:"source_type"`
	SourceID     string          `json:"source_id"`
	Reason       string          `json:"reason"`
	StaffUser    string          `json:"staff_user,omitempty"`
	OccurredAt   time.Time       `json:"occurred_at"`
	AvailableAt  time.Time       `json:"available_at"`
	ExpiresAt    *time.Time      `json:"expires_at"`
	CreatedAt    time.Time       `json:"created_at"`
}

const accountCols = `shop_id, customer_id, balance, tier, tier_since, tier_version, tier_floor, tier_floor_until,
	last_activity_at, referral_code, created_at, updated_at`

// posting is an entry about to be appended.
type posting struct {
	Kind, SourceType, SourceID string
	Points                     int64
	Amount                     decimal.Decimal
	OrderID                    *int64
	Reason, Staff              string
	OccurredAt                 time.Time
	AvailableAt                time.Time // credits only; zero means now
	ExpiryFrom                 time.Time // credits only: batch expiry counts from here; zero means OccurredAt
}

// lot is an unspent credit of the open account.
type lot struct {
	ID          int64
	Remaining   int64
	AvailableAt time.Time
	ExpiresAt   *time.Time
	OrderID     *int64
}

func (l *lot) spendable(now time.Time) bool {
	return !l.AvailableAt.After(now) && (l.ExpiresAt == nil || l.ExpiresAt.After(now))
}

// book is one customer's account opened for change inside a transaction: the account row is
// locked until the transaction ends, and close writes the account back once.
type book struct {
	ctx        context.Context
	tx         *gorm.DB
	set        ProgramSettings
	now        time.Time
	acct       LoyaltyAccount
	dirty      bool
	lots       []*lot
	lotsLoaded bool
	touched    map[int64]bool // lots whose remaining changed
	measure    *tierMeasure   // the tier measure now, kept current as entries are appended
	quiet      bool           // set the tier without telling the customer (history, migrations)
	batch      *AccountBatch  // the batch holding the account, which writes it (nil: close writes it)
}

// openBook locks (creating when missing) a customer's account for the rest of tx. One
// statement either way: the upsert takes the row lock whether it inserts or finds the row.
func openBook(ctx context.Context, tx *gorm.DB, set ProgramSettings, shopID, customerID int64, now time.Time) (*book, error) {
	b := &book{ctx: ctx, tx: tx.WithContext(ctx), set: set, now: now.UTC(), touched: map[int64]bool{}}
	if ab, a := batchAccount(ctx, shopID, customerID); a != nil {
		b.acct, b.batch = *a, ab // locked by the batch's transaction already
		return b, nil
	}
	res := b.tx.Raw(`INSERT INTO loyalty_accounts AS a (shop_id, customer_id, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (shop_id, customer_id) DO UPDATE SET updated_at = a.updated_at RETURNING `+accountCols,
		shopID, customerID, b.now, b.now).Scan(&b.acct)
	if res.Error != nil {
		return nil, fmt.Errorf("lock points account %d: %w", customerID, res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, fmt.Errorf("lock points account %d: no row", customerID)
	}
	return b, nil
}

func (b *book) shopID() int64     { return b.acct.ShopID }
func (b *book) customerID() int64 { return b.acct.CustomerID }

// credit appends a positive (or zero) entry. A negative balance is paid off first: only what
// is left over becomes a spendable lot. inserted is false when the key was already posted.
func (b *book) credit(p posting) (e *LedgerEntry, inserted bool, err error) {
	if p.Points < 0 {
		return nil, false, fmt.Errorf("credit of %d points", p.Points)
	}
	debt := max(0, -b.acct.Balance)
	rem := p.Points - min(p.Points, debt)
	if p.AvailableAt.IsZero() {
		p.AvailableAt = b.now
	}
	if p.OccurredAt.IsZero() {
		p.OccurredAt = b.now
	}
	if p.ExpiryFrom.IsZero() {
		p.ExpiryFrom = p.OccurredAt
	}
	e, inserted, err = b.insert(p, rem, b.set.batchExpiry(p.ExpiryFrom))
	if err != nil || !inserted {
		return e, inserted, err
	}
	if rem > 0 && b.lotsLoaded {
		b.lots = append(b.lots, &lot{ID: e.ID, Remaining: rem, AvailableAt: p.AvailableAt, ExpiresAt: e.ExpiresAt, OrderID: p.OrderID})
	}
	return e, true, nil
}

// lotOrder picks the order debits consume lots in.
type lotOrder func(b *book, lots []*lot) []*lot

// spendableFirst: points that can be spent now, oldest-expiring first (in inactivity mode all
// expire together, so oldest first); then pending and overdue lots.
func spendableFirst(b *book, lots []*lot) []*lot {
	out := append([]*lot(nil), lots...)
	sort.SliceStable(out, func(i, j int) bool {
		si, sj := out[i].spendable(b.now), out[j].spendable(b.now)
		if si != sj {
			return si
		}
		return lotBefore(out[i], out[j])
	})
	return out
}

// spendableOnly is what a redemption may use.
func spendableOnly(b *book, lots []*lot) []*lot {
	var out []*lot
	for _, l := range spendableFirst(b, lots) {
		if l.spendable(b.now) {
			out = append(out, l)
		}
	}
	return out
}

// orderFirst: a clawback takes the order's own points first (pending or not), then the rest.
func orderFirst(orderID int64) lotOrder {
	return func(b *book, lots []*lot) []*lot {
		rest := spendableFirst(b, lots)
		out := make([]*lot, 0, len(rest))
		for _, l := range rest {
			if l.OrderID != nil && *l.OrderID == orderID {
				out = append(out, l)
			}
		}
		for _, l := range rest {
			if l.OrderID == nil || *l.OrderID != orderID {
				out = append(out, l)
			}
		}
		return out
	}
}

func lotBefore(a, b *lot) bool {
	switch {
	case a.ExpiresAt != nil && b.ExpiresAt != nil && !a.ExpiresAt.Equal(*b.ExpiresAt):
		return a.ExpiresAt.Before(*b.ExpiresAt)
	case (a.ExpiresAt == nil) != (b.ExpiresAt == nil):
		return a.ExpiresAt != nil
	}
	return a.ID < b.ID
}

func (b *book) loadLots() error {
	if b.lotsLoaded {
		return nil
	}
	if err := b.sync(); err != nil {
		return err
	}
	var lots []*lot
	err := b.tx.Raw(`SELECT id, remaining, available_at, expires_at, order_id FROM ledger_entries
		WHERE shop_id = ? AND customer_id = ? AND remaining > 0`, b.shopID(), b.customerID()).Scan(&lots).Error
	if err != nil {
		return fmt.Errorf("points lots of %d: %w", b.customerID(), err)
	}
	b.lots, b.lotsLoaded = lots, true
	return nil
}

// spendable is what the customer can spend now.
func (b *book) spendable() (int64, error) {
	if err := b.loadLots(); err != nil {
		return 0, err
	}
	var n int64
	for _, l := range b.lots {
		if l.spendable(b.now) {
			n += l.Remaining
		}
	}
	return n, nil
}

// debit appends a negative entry of `need` points taken from lots in the given order; what
// the lots cannot cover makes the balance negative. inserted is false for a repeat.
func (b *book) debit(p posting, need int64, order lotOrder) (e *LedgerEntry, inserted bool, err error) {
	if need < 0 {
		return nil, false, fmt.Errorf("debit of %d points", need)
	}
	if err := b.loadLots(); err != nil {
		return nil, false, err
	}
	p.Points = -need
	if p.OccurredAt.IsZero() {
		p.OccurredAt = b.now
	}
	p.AvailableAt = b.now
	e, inserted, err = b.insert(p, 0, nil)
	if err != nil || !inserted {
		return e, inserted, err
	}
	spent := b.consume(need, order(b, b.lots))
	if p.Kind == EntryRedeem {
		if err := b.recordSpends(e.ID, spent); err != nil {
			return nil, false, err
		}
	}
	return e, true, nil
}

// spend is the part of a debit one lot paid.
type spend struct {
	LotID  int64
	Points int64
}

// consume takes n points from lots in order (after the entry was appended) and says from which.
func (b *book) consume(n int64, lots []*lot) []spend {
	var out []spend
	for _, l := range lots {
		if n == 0 {
			break
		}
		take := min(n, l.Remaining)
		if take == 0 {
			continue
		}
		l.Remaining -= take
		n -= take
		b.touched[l.ID] = true
		out = append(out, spend{l.ID, take})
	}
	return out
}

// recordSpends keeps which lots a redemption's debit used, so a give-back can restore them.
func (b *book) recordSpends(debitID int64, spent []spend) error {
	if len(spent) == 0 {
		return nil
	}
	var sb strings.Builder
	args := make([]any, 0, 4*len(spent))
	sb.WriteString(`INSERT INTO ledger_spends (shop_id, debit_id, lot_id, points) VALUES `)
	for i, s := range spent {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?)")
		args = append(args, b.shopID(), debitID, s.LotID, s.Points)
	}
	if err := b.tx.Exec(sb.String(), args...).Error; err != nil {
		return fmt.Errorf("record spends of entry %d: %w", debitID, err)
	}
	return nil
}

// giveBack credits the points of an earlier debit back (p.Points of them) into the very lots
// that debit used, with their own availability and expiry: a refused or returned reward is
// undone, not turned into fresh points. A negative balance is paid off first, as by any
// credit; debits without recorded lots (from before they were recorded) become a fresh lot.
func (b *book) giveBack(p posting, debitID int64) (e *LedgerEntry, inserted bool, err error) {
	if err := b.loadLots(); err != nil {
		return nil, false, err
	}
	var spent []spend
	if err := b.tx.Raw(`SELECT lot_id, points FROM ledger_spends WHERE shop_id = ? AND debit_id = ? ORDER BY lot_id`,
		b.shopID(), debitID).Scan(&spent).Error; err != nil {
		return nil, false, fmt.Errorf("spends of entry %d: %w", debitID, err)
	}
	if len(spent) == 0 {
		return b.credit(p)
	}
	if p.OccurredAt.IsZero() {
		p.OccurredAt = b.now
	}
	p.AvailableAt = b.now
	restore := p.Points - min(p.Points, max(0, -b.acct.Balance))
	if e, inserted, err = b.insert(p, 0, nil); err != nil || !inserted {
		return e, inserted, err
	}
	byID := map[int64]*lot{}
	for _, l := range b.lots {
		byID[l.ID] = l
	}
	var missing []int64
	for _, s := range spent {
		if byID[s.LotID] == nil {
			missing = append(missing, s.LotID)
		}
	}
	if len(missing) > 0 { // lots spent to zero are not loaded
		var more []*lot
		if err := b.tx.Raw(`SELECT id, remaining, available_at, expires_at, order_id FROM ledger_entries
			WHERE shop_id = ? AND customer_id = ? AND id IN ?`, b.shopID(), b.customerID(), missing).Scan(&more).Error; err != nil {
			return nil, false, fmt.Errorf("lots of entry %d: %w", debitID, err)
		}
		for _, l := range more {
			byID[l.ID] = l
			b.lots = append(b.lots, l)
		}
	}
	for _, s := range spent {
		l := byID[s.LotID]
		if l == nil || restore == 0 {
			continue
		}
		n := min(s.Points, restore)
		l.Remaining += n
		restore -= n
		b.touched[l.ID] = true
	}
	return e, true, nil
}

// sync writes what the batch holds back for this customer, before the book reads the
// customer's ledger or writes an entry at once.
func (b *book) sync() error {
	if b.batch == nil || !b.batch.heldFor[b.customerID()] {
		return nil
	}
	return b.batch.writeHeld(b.ctx, b.tx)
}

// insert appends the entry and moves the balance; the account row is written by close. In a
// batch, an order's earn entry is held back for the batch to write with the others, unless
// the book tracks lots (which need the entry's id).
func (b *book) insert(p posting, remaining int64, expires *time.Time) (*LedgerEntry, bool, error) {
	e := &LedgerEntry{ShopID: b.shopID(), CustomerID: b.customerID(), Kind: p.Kind, Points: p.Points,
		BalanceAfter: b.acct.Balance + p.Points, Remaining: remaining, Amount: p.Amount, OrderID: p.OrderID,
		SourceType: p.SourceType, SourceID: p.SourceID, Reason: p.Reason, StaffUser: p.Staff,
		OccurredAt: p.OccurredAt.UTC(), AvailableAt: p.AvailableAt.UTC(), ExpiresAt: expires, CreatedAt: b.now}
	if remaining == 0 {
		e.ExpiresAt = nil
	}
	if b.batch != nil && p.Kind == EntryEarn && !b.lotsLoaded {
		b.batch.hold(e)
		b.booked(e)
		return e, true, nil
	}
	if err := b.sync(); err != nil {
		return nil, false, err
	}
	var row struct{ ID int64 }
	res := b.tx.Raw(entryInsert(1)+` RETURNING id`, e.insertArgs()...).Scan(&row)
	if res.Error != nil {
		return nil, false, fmt.Errorf("append %s %s/%s for %d: %w", p.Kind, p.SourceType, p.SourceID, b.customerID(), res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, false, nil
	}
	e.ID = row.ID
	b.booked(e)
	return e, true, nil
}

// entryInsert appends n ledger entries (insertArgs' values, n at a time); a key already posted
// is skipped, which the caller sees in the rows affected.
func entryInsert(n int) string {
	return `INSERT INTO ledger_entries (shop_id, customer_id, kind, points, balance_after, remaining, amount,
			order_id, source_type, source_id, reason, staff_user, occurred_at, available_at, expires_at, created_at)
		VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ") + `
		ON CONFLICT (shop_id, source_type, source_id, kind) DO NOTHING`
}

// insertArgs are the entry's values in entryInsert's column order.
func (e *LedgerEntry) insertArgs() []any {
	return []any{e.ShopID, e.CustomerID, e.Kind, e.Points, e.BalanceAfter, e.Remaining, e.Amount, e.OrderID, e.SourceType,
		e.SourceID, e.Reason, e.StaffUser, e.OccurredAt, e.AvailableAt, e.ExpiresAt, e.CreatedAt}
}

// booked moves the balance and the tier measure by an appended entry.
func (b *book) booked(e *LedgerEntry) {
	if b.batch != nil {
		b.batch.booked[e.CustomerID] = true
	}
	b.measure.add(b.set.LoyaltySettings, e)
	b.acct.Balance = e.BalanceAfter
	b.dirty = true
}

// touch records activity (earning or spending) for inactivity expiry.
func (b *book) touch(at time.Time) {
	if b.acct.LastActivityAt == nil || at.After(*b.acct.LastActivityAt) {
		t := at.UTC()
		b.acct.LastActivityAt = &t
		b.dirty = true
	}
}

// close writes the changed lots and the account row.
func (b *book) close() error {
	if len(b.touched) > 0 {
		ids := make([]string, 0, len(b.touched))
		var args []any
		var values []string
		for _, l := range b.lots {
			if !b.touched[l.ID] {
				continue
			}
			values = append(values, "(?::bigint, ?::bigint)")
			args = append(args, l.ID, l.Remaining)
			ids = append(ids, strconv.FormatInt(l.ID, 10))
		}
		args = append(args, b.shopID(), b.customerID())
		q := fmt.Sprintf(`UPDATE ledger_entries e SET remaining = v.r FROM (VALUES %s) AS v(id, r)
			WHERE e.id = v.id AND e.shop_id = ? AND e.customer_id = ?`, strings.Join(values, ", "))
		if err := b.tx.Exec(q, args...).Error; err != nil {
			return fmt.Errorf("update lots %s: %w", strings.Join(ids, ","), err)
		}
		b.touched = map[int64]bool{}
	}
	if !b.dirty {
		return nil
	}
	if b.batch != nil {
		b.batch.keep(b.acct)
		b.dirty = false
		return nil
	}
	a := b.acct
	err := b.tx.Exec(`UPDATE loyalty_accounts SET balance = ?, tier = ?, tier_since = ?, tier_version = ?,
		tier_floor = ?, tier_floor_until = ?, last_activity_at = ?, updated_at = ? WHERE shop_id = ? AND customer_id = ?`,
		a.Balance, a.Tier, a.TierSince, a.TierVersion, a.TierFloor, a.TierFloorUntil, a.LastActivityAt, b.now,
		a.ShopID, a.CustomerID).Error
	if err != nil {
		return fmt.Errorf("update points account %d: %w", a.CustomerID, err)
	}
	b.dirty = false
	return nil
}

// batchExpiry is when a credit made at `at` expires in batch mode: its period after it was
// earned, and never earlier than one period after expiry was switched on.
func (s ProgramSettings) batchExpiry(at time.Time) *time.Time {
	if s.ExpiryMode != ExpiryBatch || s.ExpiryMonths <= 0 {
		return nil
	}
	t := addMonths(at, s.ExpiryMonths)
	if s.ExpirySince != nil {
		if floor := addMonths(*s.ExpirySince, s.ExpiryMonths); floor.After(t) {
			t = floor
		}
	}
	return &t
}

// inactivityExpiry is when an account's points expire in inactivity mode (nil when they don't).
func (s ProgramSettings) inactivityExpiry(a LoyaltyAccount) *time.Time {
	if s.ExpiryMode != ExpiryInactivity || s.ExpiryMonths <= 0 || s.ExpirySince == nil {
		return nil
	}
	last := a.CreatedAt
	if a.LastActivityAt != nil {
		last = *a.LastActivityAt
	}
	t := addMonths(last, s.ExpiryMonths)
	if floor := addMonths(*s.ExpirySince, s.ExpiryMonths); floor.After(t) {
		t = floor
	}
	return &t
}

// addMonths adds calendar months in UTC, clamping to the month's last day (Jan 31 + 1 month is
// Feb 28/29), as Postgres interval arithmetic does.
func addMonths(t time.Time, n int) time.Time {
	t = t.UTC()
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// redateBatches recomputes the expiry date of every unspent credit after the expiry settings
// changed (batch mode dates each; other modes date none).
func redateBatches(ctx context.Context, tx *gorm.DB, shopID int64, set ProgramSettings) error {
	var lastID int64
	for {
		var rows []struct {
			ID         int64
			OccurredAt time.Time
		}
		err := tx.WithContext(ctx).Raw(`SELECT id, occurred_at FROM ledger_entries WHERE shop_id = ? AND remaining > 0 AND id > ?
			ORDER BY id LIMIT 1000`, shopID, lastID).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("redate batches of shop %d: %w", shopID, err)
		}
		if len(rows) == 0 {
			return nil
		}
		values := make([]string, len(rows))
		args := make([]any, 0, 2*len(rows)+1)
		for i, r := range rows {
			values[i] = "(?::bigint, ?::timestamptz)"
			args = append(args, r.ID, set.batchExpiry(r.OccurredAt))
			lastID = r.ID
		}
		args = append(args, shopID)
		q := fmt.Sprintf(`UPDATE ledger_entries e SET expires_at = v.x FROM (VALUES %s) AS v(id, x)
			WHERE e.id = v.id AND e.shop_id = ?`, strings.Join(values, ", "))
		if err := tx.WithContext(ctx).Exec(q, args...).Error; err != nil {
			return fmt.Errorf("redate batches of shop %d: %w", shopID, err)
		}
	}
}

// GetLoyaltyAccount reads an account without locking it (zero account when there is none).
func GetLoyaltyAccount(ctx context.Context, db *gorm.DB, shopID, customerID int64) (LoyaltyAccount, error) {
	var a LoyaltyAccount
	err := db.WithContext(ctx).Raw(`SELECT `+accountCols+` FROM loyalty_accounts WHERE shop_id = ? AND customer_id = ?`,
		shopID, customerID).Scan(&a).Error
	if err != nil {
		return a, fmt.Errorf("points account %d: %w", customerID, err)
	}
	a.ShopID, a.CustomerID = shopID, customerID
	return a, nil
}

// LedgerPage lists a customer's entries newest first; before is the cursor (an entry id, 0 for
// the first page). next is the cursor of the following page, 0 on the last.
func LedgerPage(ctx context.Context, db *gorm.DB, shopID, customerID, before int64, limit int) (entries []LedgerEntry, next int64, err error) {
	q := models.Scoped(ctx, db, shopID).Where("customer_id = ?", customerID)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	if err := q.Order("id DESC").Limit(limit + 1).Find(&entries).Error; err != nil {
		return nil, 0, fmt.Errorf("ledger of %d: %w", customerID, err)
	}
	if len(entries) > limit {
		entries = entries[:limit]
		next = entries[limit-1].ID
	}
	return entries, next, nil
}

// withBook runs fn on a customer's locked account in a transaction of its own (or inside tx
// when the caller passes one) and writes the account back.
func withBook(ctx context.Context, db *gorm.DB, set ProgramSettings, shopID, customerID int64, now time.Time, fn func(b *book) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		b, err := openBook(ctx, tx, set, shopID, customerID, now)
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
		return b.close()
	})
}
