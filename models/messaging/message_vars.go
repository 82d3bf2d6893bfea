package messaging

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"github.com/boomerang-app/boomerang/models"
)

// VarsFunc returns template variables another part knows about a customer, e.g.
// {"points": {"balance": 1250}, "tier": {"name": "Silver", "next": "Gold", ...}, "referral_link": "..."}.
type VarsFunc func(ctx context.Context, db *gorm.DB, shopID, customerID int64) (map[string]any, error)

var varsFuncs []VarsFunc

// RegisterTemplateVars adds a source of template variables; called from an init function.
func RegisterTemplateVars(fn VarsFunc) { varsFuncs = append(varsFuncs, fn) }

// ExtraTemplateVars merges what every registered part knows about a customer.
func ExtraTemplateVars(ctx context.Context, db *gorm.DB, shopID, customerID int64) (map[string]any, error) {
	out := map[string]any{}
	for _, fn := range varsFuncs {
		v, err := fn(ctx, db, shopID, customerID)
		if err != nil {
			return nil, fmt.Errorf("template variables of customer %d: %w", customerID, err)
		}
		mergeVars(out, v)
	}
	return out, nil
}

// titlesOfProducts names products from the order and subscription lines Boomerang has stored.
func titlesOfProducts(ctx context.Context, db *gorm.DB, shopID int64, ids []int64) (map[int64]string, error) {
	var rows []struct {
		ProductID int64
		Title     string
	}
	err := db.WithContext(ctx).Raw(`SELECT product_id, max(title) AS title FROM (
			SELECT product_id, title FROM order_lines WHERE shop_id = ? AND product_id IN ?
			UNION ALL SELECT product_id, title FROM subscription_lines WHERE shop_id = ? AND product_id IN ?) t
		GROUP BY product_id`, shopID, ids, shopID, ids).Scan(&rows).Error
	out := map[int64]string{}
	for _, r := range rows {
		out[r.ProductID] = r.Title
	}
	return out, err
}

// TemplateVars builds the variables of messaging.SampleVars for one shopper: the customer and
// shop, what the trigger's event carried (points, tier change, offer, review link, products),
// and what other parts registered (RegisterTemplateVars: balance, tier progress, referral
// link). Every documented key is present, nil when unknown, so strict templates render for
// every shopper. When the template sources are given, the registered parts are asked only if
// the templates use a points, tier or referral variable the event did not carry.
func TemplateVars(ctx context.Context, db *gorm.DB, shop *models.Shop, c *models.Customer, trigger string, payload json.RawMessage, unsubscribe string, featured []int64, sources ...string) (map[string]any, error) {
	shopURL := "https://" + shop.Domain
	name := shop.Name
	if name == "" {
		name = strings.TrimSuffix(shop.Domain, ".myshopify.com")
	}
	fromEvent := payloadVars(trigger, payload, shopURL, models.ShopperLanguage(c.Locale, shop.PrimaryLocale), shop.Currency)
	build := func(extra map[string]any) map[string]any {
		vars := map[string]any{
			"customer": map[string]any{"first_name": c.FirstName, "last_name": c.LastName, "email": c.Email,
				"stage": strings.ReplaceAll(c.Stage, "_", "-")},
			"shop":              map[string]any{"name": name, "domain": shop.Domain, "url": shopURL},
			"points":            map[string]any{"balance": nil, "earned": nil, "expiring": nil, "expiring_at": nil},
			"tier":              map[string]any{"name": nil, "next": nil, "progress_percent": nil, "points_to_next": nil, "previous": nil, "direction": nil},
			"referral_link":     nil,
			"review_link":       nil,
			"featured_products": []any{},
			"unsubscribe_link":  unsubscribe,
			"offer":             map[string]any{"code": nil, "value": nil},
		}
		mergeVars(vars, extra)
		mergeVars(vars, fromEvent)
		return vars
	}
	vars := build(nil)
	if len(sources) == 0 || lacksPartVars(vars, sources) {
		extra, err := ExtraTemplateVars(ctx, db, shop.ID, c.CustomerID)
		if err != nil {
			return nil, err
		}
		vars = build(extra)
	}
	if len(featured) > 0 {
		fp, err := FeaturedProducts(ctx, db, shop, featured)
		if err != nil {
			return nil, err
		}
		vars["featured_products"] = fp
	}
	return vars, nil
}

var partVarRe = regexp.MustCompile(`\b(points|tier)\.([a-z_]+)|\breferral_link\b`)

// lacksPartVars reports whether a template uses a variable other parts provide that is still
// unset.
func lacksPartVars(vars map[string]any, sources []string) bool {
	for _, src := range sources {
		for _, m := range partVarRe.FindAllStringSubmatch(src, -1) {
			if m[1] == "" {
				if vars["referral_link"] == nil {
					return true
				}
				continue
			}
			if group, ok := vars[m[1]].(map[string]any); ok && group[m[2]] == nil {
				return true
			}
		}
	}
	return false
}

// mergeVars copies src into dst, one level deep for maps so a part can fill some keys of "points".
func mergeVars(dst, src map[string]any) {
	for k, v := range src {
		if sub, ok := v.(map[string]any); ok {
			if cur, ok := dst[k].(map[string]any); ok {
				for sk, sv := range sub {
					cur[sk] = sv
				}
				continue
			}
		}
		dst[k] = v
	}
}

// messageEventPayload holds the fields the producers' payloads use (loyalty, reviews, subscriptions).
type messageEventPayload struct {
	Points     *int64          `json:"points"`
	Balance    *int64          `json:"balance"`
	Expiring   *int64          `json:"expiring"`
	ExpiresAt  *time.Time      `json:"expires_at"`
	ExpiringAt *time.Time      `json:"expiring_at"`
	From       *string         `json:"from"`
	To         *string         `json:"to"`
	Direction  *string         `json:"direction"`
	Code       *string         `json:"code"`
	Value      *string         `json:"value"`
	Type       string          `json:"type"`
	Offer      *map[string]any `json:"offer"`
	ReviewLink *string         `json:"review_link"`
	Products   []struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	} `json:"products"`
}

func payloadVars(trigger string, raw json.RawMessage, shopURL, lang, currency string) map[string]any {
	var p messageEventPayload
	out := map[string]any{}
	if len(raw) == 0 || json.Unmarshal(raw, &p) != nil {
		return out
	}
	points := map[string]any{}
	if p.Balance != nil {
		points["balance"] = *p.Balance
	}
	if p.Points != nil {
		if trigger == models.EventPointsExpiring {
			points["expiring"] = *p.Points
		} else {
			points["earned"] = *p.Points
		}
	}
	if p.Expiring != nil {
		points["expiring"] = *p.Expiring
	}
	for _, t := range []*time.Time{p.ExpiresAt, p.ExpiringAt} {
		if t != nil && trigger == models.EventPointsExpiring {
			points["expiring_at"] = t.UTC()
		}
	}
	out["points"] = points
	if trigger == models.EventTierChanged {
		tier := map[string]any{}
		if p.To != nil {
			tier["name"] = *p.To
		}
		if p.From != nil {
			tier["previous"] = *p.From
		}
		if p.Direction != nil {
			tier["direction"] = *p.Direction
		}
		out["tier"] = tier
	}
	offer := map[string]any{}
	if p.Offer != nil {
		for k, v := range *p.Offer {
			offer[k] = v
		}
	}
	if p.Code != nil {
		offer["code"] = *p.Code
		if p.Value != nil {
			offer["value"] = offerValue(*p.Value, p.Type, lang, currency)
		}
	}
	out["offer"] = offer
	if p.ReviewLink != nil {
		out["review_link"] = *p.ReviewLink
	}
	if len(p.Products) > 0 {
		var fp []any
		for _, pr := range p.Products {
			fp = append(fp, map[string]any{"id": pr.ID, "title": pr.Title, "url": shopURL + "/search?q=" + url.QueryEscape(pr.Title)})
		}
		out["featured_products"] = fp
	}
	return out
}

// offerWords is how each language says what a reward takes off; the amount keeps the shop's
// currency format ("$5 de réduction").
var offerWords = map[string]string{
	"en": "%s off", "fr": "%s de réduction", "de": "%s Rabatt", "es": "%s de descuento", "it": "%s di sconto",
	"pt": "%s de desconto", "nl": "%s korting", "ru": "скидка %s", "tr": "%s indirim",
}

// offerValue words a reward in the shopper's language ("10.0" percentage → "10% off", a fixed
// "5.00" → "$5 off").
func offerValue(v, typ, lang, currency string) string {
	amount := v
	if strings.Contains(strings.ToLower(typ), "percent") {
		amount = strings.TrimSuffix(strings.TrimSuffix(v, ".0"), ".00") + "%"
	} else if d, err := decimal.NewFromString(v); err == nil && currency != "" {
		amount = models.MoneyText(d, currency)
	}
	words, ok := offerWords[lang]
	if !ok {
		words = offerWords["en"]
	}
	return fmt.Sprintf(words, amount)
}

// FeaturedProducts lists a promotion's products as templates see them: named and linked from the
// products Boomerang has read from Shopify (title, and the product page by its handle), else
// titled from the order and subscription lines it has seen, linked to a search for the title.
func FeaturedProducts(ctx context.Context, db *gorm.DB, shop *models.Shop, ids []int64) ([]any, error) {
	out := []any{}
	if len(ids) == 0 {
		return out, nil
	}
	cards, err := models.ProductCards(ctx, db, shop.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("featured products: %w", err)
	}
	titles, err := titlesOfProducts(ctx, db, shop.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("featured products: %w", err)
	}
	base := "https://" + shop.Domain
	for _, id := range ids {
		t, u := titles[id], base
		switch p, ok := cards[id]; {
		case ok && p.Handle != "":
			t, u = p.Title, base+"/products/"+url.PathEscape(p.Handle)
		case t != "":
			u = base + "/search?q=" + url.QueryEscape(t)
		}
		out = append(out, map[string]any{"id": id, "title": t, "url": u})
	}
	return out, nil
}

// LatestEventPayload returns the payload of a customer's most recent event of a kind (nil when
// there is none), so a preview can show what that customer's message would say.
func LatestEventPayload(ctx context.Context, db *gorm.DB, shopID, customerID int64, kind string) (json.RawMessage, error) {
	if kind == "" {
		return nil, nil
	}
	var evs []models.Event
	err := models.Scoped(ctx, db, shopID).Where("customer_id = ? AND kind = ?", customerID, kind).Order("id DESC").Limit(1).Find(&evs).Error
	if err != nil || len(evs) == 0 {
		return nil, err
	}
	return evs[0].Payload, nil
}
