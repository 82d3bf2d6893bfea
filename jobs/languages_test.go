package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/delivery/smtptest"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/models"
)

// Each shopper gets the ready set in their own language: the customer's locale, else the
// language their order was placed in (customer_locale), else the shop's primary locale as
// Shopify reports it; a language Boomerang has no copy in gets the default (English) copy.
func TestMessagesInTheShoppersLanguage(t *testing.T) {
	srv := smtptest.Start(t)
	a := apptest.Start(t, apptest.Options{Env: map[string]string{"SMTP_URL": srv.URL(), "MAIL_FROM": "Boomerang <hello@boomerang.test>"}})
	shop := testenv.Shop("lang")
	a.Fake.SetPrimaryLocale(shop, "de")
	id := a.Install(t, shop)
	if _, err := models.SetUpShop(context.Background(), a.DB, a.Admin, id); err != nil {
		t.Fatal(err)
	}
	if sh, err := models.GetShop(context.Background(), a.DB, id); err != nil || sh.PrimaryLocale != "de" {
		t.Fatalf("primary locale from shopLocales: %+v %v", sh, err)
	}
	noticesAtOnce(t, a, shop)
	s := &story{t: t, a: a, smtp: srv, shop: shop, shopID: id, customers: map[int64]map[string]any{}}
	now := time.Now()
	for _, c := range []struct {
		id                int64
		locale, orderLang string
		want              string
	}{
		{1, "", "fr-CA", "Vous avez gagné 250 points"},
		{2, "", "", "Sie haben 250 Punkte"},
		{3, "en", "de", "You earned 250 points"},
		{4, "", "ja", "You earned 250 points"},
		{5, "pt-BR", "en", "Você ganhou 250 pontos"},
	} {
		email := fmt.Sprintf("shopper%d@example.com", c.id)
		cust := map[string]any{"id": c.id, "email": email, "first_name": "Shopper", "updated_at": rfc(now),
			"email_marketing_consent": map[string]any{"state": "subscribed"}}
		if c.locale != "" {
			cust["locale"] = c.locale
		}
		a.Webhook(t, shop, "orders/paid", "", map[string]any{"id": 9000 + c.id, "name": fmt.Sprintf("#%d", 9000+c.id),
			"currency": "USD", "subtotal_price": "50.00", "total_price": "50.00", "financial_status": "paid",
			"processed_at": rfc(now), "created_at": rfc(now), "updated_at": rfc(now), "customer_locale": c.orderLang,
			"customer": cust, "line_items": []any{map[string]any{"id": c.id*10 + 1, "product_id": 7001, "quantity": 1, "price": "50.00"}}})
		m := s.waitMail(email, "250") // the default earn rate: 5 points per unit
		if !strings.Contains(m.Subject, c.want) {
			t.Errorf("customer %d (locale %q, order in %q): subject %q, want %q", c.id, c.locale, c.orderLang, m.Subject, c.want)
		}
	}
}
