package fakeshop

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// State the default operations keep, so tests can assert on what "Shopify" now holds.
type state struct {
	mu            sync.Mutex
	discountCodes map[string]map[string]any // shop|code → input
	tags          map[string]map[string]bool
	contracts     map[string]Contract // gid → contract
	consent       map[string]string   // customer gid + "|email" or "|sms" → marketingState
	flowTriggers  map[string][]FlowTrigger
	sellingPlans  map[string]SellingPlan // gid → plan
	products      map[string]Product     // shop|gid → product
	metafields    map[string]Metafield   // shop|owner|namespace|key → metafield
	locales       map[string]string      // shop → primary locale (en when unset)
}

// SetPrimaryLocale sets the shop's primary locale, as shopLocales reports it.
func (s *Server) SetPrimaryLocale(shop, locale string) {
	st := s.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.locales == nil {
		st.locales = map[string]string{}
	}
	st.locales[shop] = locale
}

// PrimaryLocale is the shop's primary locale.
func (s *Server) PrimaryLocale(shop string) string {
	st := s.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	if l := st.locales[shop]; l != "" {
		return l
	}
	return "en"
}

// Metafield is a metafield the fake holds.
type Metafield struct{ Type, Value string }

// Metafield returns a metafield of an owner (ok false when unset or deleted).
func (s *Server) Metafield(shop, owner, namespace, key string) (Metafield, bool) {
	st := s.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	m, ok := st.metafields[shop+"|"+owner+"|"+namespace+"|"+key]
	return m, ok
}

// metafieldsOps are metafieldsSet and metafieldsDelete as Shopify checks them: write_products for
// product owners, at most 25 a call, and values valid for their type (else userErrors, nothing set).
func (s *Server) metafieldsOps() {
	s.Handle("metafieldsSet", func(shop string, vars map[string]any) (any, error) {
		if err := s.needScope(shop, "write_products"); err != nil {
			return nil, err
		}
		in, _ := vars["metafields"].([]any)
		if len(in) == 0 || len(in) > 25 {
			return payload("metafieldsSet", nil, userError([]string{"metafields"}, "INVALID", "between 1 and 25 metafields")), nil
		}
		set := map[string]Metafield{}
		for i, v := range in {
			m, _ := v.(map[string]any)
			owner, _ := m["ownerId"].(string)
			ns, _ := m["namespace"].(string)
			key, _ := m["key"].(string)
			typ, _ := m["type"].(string)
			val, _ := m["value"].(string)
			if msg := checkMetafield(owner, ns, key, typ, val); msg != "" {
				return payload("metafieldsSet", nil, userError([]string{"metafields", fmt.Sprint(i), "value"}, "INVALID_VALUE", msg)), nil
			}
			set[shop+"|"+owner+"|"+ns+"|"+key] = Metafield{Type: typ, Value: val}
		}
		st := s.st()
		st.mu.Lock()
		if st.metafields == nil {
			st.metafields = map[string]Metafield{}
		}
		for k, m := range set {
			st.metafields[k] = m
		}
		st.mu.Unlock()
		return payload("metafieldsSet", map[string]any{"metafields": []any{}}), nil
	})
	s.Handle("metafieldsDelete", func(shop string, vars map[string]any) (any, error) {
		if err := s.needScope(shop, "write_products"); err != nil {
			return nil, err
		}
		in, _ := vars["metafields"].([]any)
		st := s.st()
		st.mu.Lock()
		var deleted []any
		for _, v := range in {
			m, _ := v.(map[string]any)
			k := fmt.Sprintf("%s|%v|%v|%v", shop, m["ownerId"], m["namespace"], m["key"])
			if _, ok := st.metafields[k]; ok {
				delete(st.metafields, k)
				deleted = append(deleted, map[string]any{"key": m["key"]})
			} else {
				deleted = append(deleted, nil)
			}
		}
		st.mu.Unlock()
		return payload("metafieldsDelete", map[string]any{"deletedMetafields": deleted}), nil
	})
}

func checkMetafield(owner, ns, key, typ, val string) string {
	if !strings.HasPrefix(owner, "gid://shopify/") || ns == "" || key == "" {
		return "ownerId, namespace and key are required"
	}
	switch typ {
	case "rating":
		var r struct {
			Value    string `json:"value"`
			ScaleMin string `json:"scale_min"`
			ScaleMax string `json:"scale_max"`
		}
		if json.Unmarshal([]byte(val), &r) != nil || r.Value == "" || r.ScaleMin == "" || r.ScaleMax == "" {
			return "Value must be a rating: {\"value\",\"scale_min\",\"scale_max\"}"
		}
	case "number_integer":
		if _, err := strconv.ParseInt(val, 10, 64); err != nil {
			return "Value must be an integer."
		}
	case "json":
		if !json.Valid([]byte(val)) {
			return "Value is invalid JSON."
		}
	case "":
		return "Type can't be blank."
	}
	return ""
}

// needScope refuses an operation as Shopify does when the shop has not granted scope (write_x
// implies read_x).
func (s *Server) needScope(shop, scope string) error {
	s.mu.Lock()
	granted := "," + s.grantedLocked(shop) + ","
	s.mu.Unlock()
	write := strings.Replace(scope, "read_", "write_", 1)
	if !strings.Contains(granted, ","+scope+",") && !strings.Contains(granted, ","+write+",") {
		return fmt.Errorf("access denied: required access is the %s access scope", scope)
	}
	return nil
}

// SellingPlan is the recurring billing policy node(id:) answers for a selling plan gid.
type SellingPlan struct {
	Interval      string // DAY, WEEK, MONTH or YEAR
	IntervalCount int
}

// SetSellingPlan makes node(id:) answer the plan's billing policy.
func (s *Server) SetSellingPlan(gid string, p SellingPlan) {
	st := s.st()
	st.mu.Lock()
	if st.sellingPlans == nil {
		st.sellingPlans = map[string]SellingPlan{}
	}
	st.sellingPlans[gid] = p
	st.mu.Unlock()
}

// sellingPlanNode answers node(id:) for a selling plan as Shopify does: access denied without
// read_products, null for a plan it does not have.
func (s *Server) sellingPlanNode(shop, gid string) (any, error) {
	if err := s.needScope(shop, "read_products"); err != nil {
		return nil, err
	}
	st := s.st()
	st.mu.Lock()
	p, ok := st.sellingPlans[gid]
	st.mu.Unlock()
	if !ok {
		return map[string]any{"node": nil}, nil
	}
	return map[string]any{"node": map[string]any{"billingPolicy": map[string]any{"interval": p.Interval, "intervalCount": p.IntervalCount}}}, nil
}

// FlowTrigger is one flowTriggerReceive the fake accepted.
type FlowTrigger struct {
	Handle  string
	Payload map[string]any
}

// Contract is a subscription contract the fake answers subscriptionContract(id:) with.
type Contract struct {
	ID    string
	Lines []ContractLine
}

type ContractLine struct {
	ProductID, VariantID, Title string
	Quantity                    int
}

func (s *Server) st() *state { return s.data }

// SetContract makes subscriptionContract(id:) return these lines.
func (s *Server) SetContract(c Contract) {
	st := s.st()
	st.mu.Lock()
	st.contracts[c.ID] = c
	st.mu.Unlock()
}

// DiscountCodes lists the codes created for a shop.
func (s *Server) DiscountCodes(shop string) []string {
	st := s.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []string
	for k := range st.discountCodes {
		if strings.HasPrefix(k, shop+"|") {
			out = append(out, strings.TrimPrefix(k, shop+"|"))
		}
	}
	return out
}

// Consent returns the marketing state last set for a customer gid on "email" or "sms" through
// customerEmailMarketingConsentUpdate / customerSmsMarketingConsentUpdate ("" if never).
func (s *Server) Consent(gid, channel string) string {
	st := s.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.consent[gid+"|"+channel]
}

// Tags returns the tags a customer gid carries.
func (s *Server) Tags(gid string) []string {
	st := s.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []string
	for t, on := range st.tags[gid] {
		if on {
			out = append(out, t)
		}
	}
	return out
}

// FlowTriggers lists the triggers a shop received through flowTriggerReceive, in order.
func (s *Server) FlowTriggers(shop string) []FlowTrigger {
	st := s.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]FlowTrigger(nil), st.flowTriggers[shop]...)
}

func (s *Server) registerDefaults() {
	s.metafieldsOps()
	// flowTriggerReceive as Flow checks it: a handle, and a payload object under 50,000 bytes
	// (the fake cannot know which handles the app deployed).
	s.Handle("flowTriggerReceive", func(shop string, vars map[string]any) (any, error) {
		handle, _ := vars["handle"].(string)
		p, ok := vars["payload"].(map[string]any)
		body, _ := json.Marshal(vars["payload"])
		switch {
		case handle == "":
			return payload("flowTriggerReceive", nil, userError([]string{"handle"}, "INVALID", "Handle can't be blank")), nil
		case !ok:
			return payload("flowTriggerReceive", nil, userError([]string{"payload"}, "INVALID", "Payload must be an object")), nil
		case len(body) >= 50000:
			return payload("flowTriggerReceive", nil, userError([]string{"payload"}, "INVALID", "Payload must be under 50000 bytes")), nil
		}
		st := s.st()
		st.mu.Lock()
		if st.flowTriggers == nil {
			st.flowTriggers = map[string][]FlowTrigger{}
		}
		st.flowTriggers[shop] = append(st.flowTriggers[shop], FlowTrigger{Handle: handle, Payload: p})
		st.mu.Unlock()
		return payload("flowTriggerReceive", nil), nil
	})
	s.Handle("shop", func(shop string, _ map[string]any) (any, error) {
		return map[string]any{"shop": map[string]any{"name": strings.TrimSuffix(shop, ".myshopify.com"), "email": "owner@" + shop,
			"currencyCode": "USD", "ianaTimezone": "America/New_York", "myshopifyDomain": shop}}, nil
	})
	s.Handle("shopLocales", func(shop string, _ map[string]any) (any, error) {
		if err := s.needScope(shop, "read_locales"); err != nil {
			return nil, err
		}
		primary := s.PrimaryLocale(shop)
		locales := []any{map[string]any{"locale": primary, "primary": true, "published": true}}
		if primary != "en" {
			locales = append(locales, map[string]any{"locale": "en", "primary": false, "published": true})
		}
		return map[string]any{"shopLocales": locales}, nil
	})
	s.Handle("discountCodeBasicCreate", func(shop string, vars map[string]any) (any, error) {
		in, _ := vars["basicCodeDiscount"].(map[string]any)
		code, _ := in["code"].(string)
		st := s.st()
		st.mu.Lock()
		defer st.mu.Unlock()
		if code == "" {
			return payload("discountCodeBasicCreate", nil, userError([]string{"basicCodeDiscount", "code"}, "BLANK", "Code can't be blank")), nil
		}
		if _, dup := st.discountCodes[shop+"|"+code]; dup {
			return payload("discountCodeBasicCreate", nil, userError([]string{"basicCodeDiscount", "code"}, "TAKEN", "Code must be unique. Please try a different code.")), nil
		}
		st.discountCodes[shop+"|"+code] = in
		node := map[string]any{"id": fmt.Sprintf("gid://shopify/DiscountCodeNode/%d", s.seq.Add(1)),
			"codeDiscount": map[string]any{"title": in["title"], "codes": map[string]any{"nodes": []any{map[string]any{"code": code}}},
				"startsAt": in["startsAt"], "endsAt": in["endsAt"]}}
		return payload("discountCodeBasicCreate", map[string]any{"codeDiscountNode": node}), nil
	})
	tagOp := func(name string, on bool) Op {
		return func(shop string, vars map[string]any) (any, error) {
			gid, _ := vars["id"].(string)
			st := s.st()
			st.mu.Lock()
			defer st.mu.Unlock()
			if st.tags[gid] == nil {
				st.tags[gid] = map[string]bool{}
			}
			for _, t := range toStrings(vars["tags"]) {
				st.tags[gid][t] = on
			}
			return payload(name, map[string]any{"node": map[string]any{"id": gid}}), nil
		}
	}
	s.Handle("tagsAdd", tagOp("tagsAdd", true))
	s.Handle("tagsRemove", tagOp("tagsRemove", false))
	consentOp := func(name, channel, field string) Op {
		return func(shop string, vars map[string]any) (any, error) {
			in, _ := vars["input"].(map[string]any)
			gid, _ := in["customerId"].(string)
			c, _ := in[field].(map[string]any)
			state, _ := c["marketingState"].(string)
			if gid == "" || state == "" {
				return payload(name, nil, userError([]string{"input"}, "INVALID", "customerId and marketingState are required")), nil
			}
			st := s.st()
			st.mu.Lock()
			if st.consent == nil {
				st.consent = map[string]string{}
			}
			st.consent[gid+"|"+channel] = state
			st.mu.Unlock()
			return payload(name, map[string]any{"customer": map[string]any{"id": gid}}), nil
		}
	}
	s.Handle("customerEmailMarketingConsentUpdate", consentOp("customerEmailMarketingConsentUpdate", "email", "emailMarketingConsent"))
	s.Handle("customerSmsMarketingConsentUpdate", consentOp("customerSmsMarketingConsentUpdate", "sms", "smsMarketingConsent"))
	s.Handle("subscriptionContract", func(shop string, vars map[string]any) (any, error) {
		id, _ := vars["id"].(string)
		st := s.st()
		st.mu.Lock()
		c, ok := st.contracts[id]
		st.mu.Unlock()
		if !ok {
			return map[string]any{"subscriptionContract": nil}, nil
		}
		var nodes []any
		for _, l := range c.Lines {
			nodes = append(nodes, map[string]any{"productId": l.ProductID, "variantId": l.VariantID, "title": l.Title, "quantity": l.Quantity})
		}
		return map[string]any{"subscriptionContract": map[string]any{"id": c.ID, "lines": map[string]any{"nodes": nodes}}}, nil
	})
}

func payload(name string, fields map[string]any, userErrors ...map[string]any) map[string]any {
	if fields == nil {
		fields = map[string]any{}
	}
	ue := []any{}
	for _, e := range userErrors {
		ue = append(ue, e)
	}
	fields["userErrors"] = ue
	return map[string]any{name: fields}
}

func userError(field []string, code, msg string) map[string]any {
	return map[string]any{"field": field, "code": code, "message": msg}
}

func toStrings(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return strings.Split(x, ",")
	}
	return nil
}

// Product is a product the fake's nodes(ids:) answers for.
type Product struct {
	ID                      int64
	Title, Handle, ImageURL string
}

// SetProduct adds or changes a shop's product.
func (s *Server) SetProduct(shop string, p Product) {
	st := s.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.products == nil {
		st.products = map[string]Product{}
	}
	st.products[shop+"|"+fmt.Sprintf("gid://shopify/Product/%d", p.ID)] = p
}

// productNode answers nodes(ids:) for a product: null for one the shop does not have.
func (s *Server) productNode(shop, gid string) any {
	st := s.st()
	st.mu.Lock()
	p, ok := st.products[shop+"|"+gid]
	st.mu.Unlock()
	if !ok {
		return nil
	}
	var img any
	if p.ImageURL != "" {
		img = map[string]any{"url": p.ImageURL}
	}
	return map[string]any{"id": gid, "title": p.Title, "handle": p.Handle, "featuredImage": img}
}
