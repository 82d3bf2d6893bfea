package models

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// Raw SQL is held to the same rule as GORM's builder: a statement that reads or writes a
// shop's rows names shop_id, once for each shop-owned table it touches (a join or a subquery
// on another shop table must be pinned too, or it could reach another merchant's rows). The
// check is lexical, so it cannot prove a condition binds the right value; it catches the
// forgotten one, which is the mistake that happens. Operator statements that span shops run
// under AllShops and are not checked.

// shopTables are the tables whose rows belong to one shop (they have a shop_id column).
// TestShopTablesMatchTheSchema keeps this list equal to the migrated schema.
var shopTables = map[string]bool{
	"app_subscriptions": true, "app_usage_charges": true, "campaigns": true, "products": true, "cases": true, "complaint_terms": true, "complaints": true, "customers": true,
	"data_requests": true, "events": true, "flow_action_runs": true, "flow_trigger_sends": true, "flow_trigger_usage": true, "fulfillments": true, "holds": true, "ledger_entries": true,
	"ledger_spends": true, "loyalty_accounts": true, "loyalty_redemptions": true, "loyalty_referrals": true,
	"history_imports": true, "loyalty_settings": true, "merchant_alerts": true, "message_decisions": true, "message_policies": true,
	"message_suppressions": true, "messages": true, "metrics_cohorts": true, "metrics_customers": true,
	"metrics_daily": true, "metrics_decisions_daily": true, "metrics_state": true, "order_lines": true,
	"orders": true, "product_rating_sync": true, "refunds": true, "review_photos": true, "review_requests": true, "review_settings": true, "reviews": true, "selling_plans": true,
	"sms_settings": true, "subscription_contracts": true, "subscription_lines": true,
	"subscription_status_history": true, "webhook_events": true,
}

// ShopTables lists the shop-owned tables the raw-SQL guard knows, sorted.
func ShopTables() []string {
	out := make([]string, 0, len(shopTables))
	for t := range shopTables {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

var (
	sqlComment  = regexp.MustCompile(`(?s)--[^\n]*|/\*.*?\*/`)
	sqlString   = regexp.MustCompile(`'(?:[^']|'')*'`)
	sqlTableRef = regexp.MustCompile(`\b(?:from|join|update|into)\s+(?:only\s+)?([a-z_][a-z0-9_]*)`)
	sqlShopID   = regexp.MustCompile(`\bshop_id\b`)
)

// UnpinnedSQL returns the shop-owned tables of a statement when it names shop_id fewer times
// than it touches them (nil when it is pinned, or touches none).
func UnpinnedSQL(sql string) []string {
	s := strings.ToLower(sql)
	s = sqlComment.ReplaceAllString(s, " ")
	s = sqlString.ReplaceAllString(s, "''")
	var tables []string
	for _, m := range sqlTableRef.FindAllStringSubmatch(s, -1) {
		if shopTables[m[1]] {
			tables = append(tables, m[1])
		}
	}
	if len(tables) == 0 || len(sqlShopID.FindAllStringIndex(s, -1)) >= len(tables) {
		return nil
	}
	return tables
}

// rawVerdicts caches UnpinnedSQL by statement text: the texts are the code's constants (values
// travel as parameters), so after warm-up a check is one map lookup. Generated texts (a VALUES
// list per batch size) are few; past rawVerdictsMax entries new texts are checked uncached.
var (
	rawVerdicts     sync.Map // string → []string (nil: pinned)
	rawVerdictCount atomic.Int64
)

const rawVerdictsMax = 10000

func unpinnedCached(sql string) []string {
	if v, ok := rawVerdicts.Load(sql); ok {
		return v.([]string)
	}
	tables := UnpinnedSQL(sql)
	if rawVerdictCount.Load() < rawVerdictsMax {
		if _, loaded := rawVerdicts.LoadOrStore(sql, tables); !loaded {
			rawVerdictCount.Add(1)
		}
	}
	return tables
}

// checkRawSQL fails a raw statement that is not pinned to a shop (unless under AllShops).
func checkRawSQL(tx *gorm.DB) {
	st := tx.Statement
	if st.SQL.Len() == 0 {
		return
	}
	if v, _ := st.Context.Value(allShopsKey{}).(bool); v {
		return
	}
	if tables := unpinnedCached(st.SQL.String()); tables != nil {
		_ = tx.AddError(fmt.Errorf("%w: raw SQL on %s: %.300s", ErrUnscoped, strings.Join(tables, ", "), st.SQL.String()))
	}
}
