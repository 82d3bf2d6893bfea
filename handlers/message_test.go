package handlers_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/boomerang-app/boomerang/delivery/smtptest"
	"github.com/boomerang-app/boomerang/handlers"
	"github.com/boomerang-app/boomerang/internal/apptest"
	"github.com/boomerang-app/boomerang/internal/testenv"
	"github.com/boomerang-app/boomerang/jobs"
	"github.com/boomerang-app/boomerang/models"
	"github.com/boomerang-app/boomerang/models/messaging"
)

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		Line    int    `json:"line"`
	} `json:"error"`
}

func TestMessagesAPI(t *testing.T) {
	srv := smtptest.Start(t)
	a := apptest.Start(t, apptest.Options{NoWorker: true, Env: map[string]string{"SMTP_URL": srv.URL()}})
	shop := testenv.Shop("msgapi")
	a.Install(t, shop)

	var list struct {
		Messages []messaging.Message `json:"messages"`
	}
	if code := a.API(t, shop, "GET", "/api/messages", nil, &list); code != 200 {
		t.Fatalf("list: %d", code)
	}
	triggers := map[string]bool{}
	for _, m := range list.Messages {
		if !m.Enabled {
			t.Errorf("default message %q is off", m.Name)
		}
		triggers[m.Trigger] = true
	}
	for _, want := range []string{models.EventPointsEarned, models.EventPointsExpiring, models.EventTierChanged, models.EventNegativeReview,
		models.EventSubscriptionCancelled, models.EventReviewRequest, models.EventReviewReminder, models.EventOneTimeBuyerQuiet,
		models.EventAtRisk, models.EventFirstOrder} {
		if !triggers[want] {
			t.Errorf("no default message for %s", want)
		}
	}

	base := map[string]any{"name": "Gone quiet", "trigger": "one_time_buyer_quiet", "kind": "promotional", "channel": "email",
		"delay_minutes": 60, "enabled": true}
	withTemplates := func(html string) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		m["templates"] = map[string]any{"subject": "Hi {{ customer.first_name }}", "html": html, "text": "", "sms": ""}
		return m
	}
	// A syntax error is refused with the field and line.
	var e apiError
	if code := a.API(t, shop, "POST", "/api/messages", withTemplates("<p>Hello</p>\n<p>{% if customer.first_name %}unclosed</p>"), &e); code != 422 {
		t.Fatalf("broken template: status %d", code)
	}
	if e.Error.Field != "templates.html" || e.Error.Line != 2 || e.Error.Message == "" {
		t.Fatalf("broken template error = %+v", e.Error)
	}
	// So is a variable that does not exist (strict variables).
	e = apiError{}
	if code := a.API(t, shop, "POST", "/api/messages", withTemplates("<p>ok</p>\n\n<p>{{ customer.favourite_colour }}</p>"), &e); code != 422 ||
		e.Error.Field != "templates.html" || e.Error.Line != 3 || !strings.Contains(e.Error.Message, "favourite_colour") {
		t.Fatalf("undefined variable: status %d, %+v", code, e.Error)
	}
	// A bad setting names its field.
	bad := withTemplates("<p>ok</p>")
	bad["trigger"] = "whenever"
	if code := a.API(t, shop, "POST", "/api/messages", bad, &e); code != 422 || e.Error.Field != "trigger" {
		t.Fatalf("bad trigger: %d %+v", code, e.Error)
	}

	var created messaging.Message
	if code := a.API(t, shop, "POST", "/api/messages", withTemplates("<p>We miss you, {{ customer.first_name }}. {{ tier.direction }}</p>"), &created); code != 201 || created.ID == 0 {
		t.Fatalf("create: %d %+v", code, created)
	}
	created.Name = "Gone quiet (edited)"
	created.Templates.SMS = "Come back to {{ shop.name }}"
	created.Channel = "both"
	var updated messaging.Message
	if code := a.API(t, shop, "PUT", fmt.Sprintf("/api/messages/%d", created.ID), created, &updated); code != 200 || updated.Name != "Gone quiet (edited)" || updated.Channel != "both" {
		t.Fatalf("update: %d %+v", code, updated)
	}
	if code := a.API(t, shop, "PATCH", fmt.Sprintf("/api/messages/%d", created.ID), map[string]any{"enabled": false}, &updated); code != 200 || updated.Enabled {
		t.Fatalf("switch off: %d %+v", code, updated)
	}
	if code := a.API(t, shop, "GET", "/api/messages/999999", nil, nil); code != 404 {
		t.Fatalf("unknown message: %d", code)
	}

	// Preview with the sample shopper at the merchant's own shop (the test send below renders the
	// same sample), then with a real customer.
	var out struct {
		Subject, HTML, Text string
		Sample              bool
	}
	sampleTemplates := map[string]any{"subject": "Hi {{ customer.first_name }}",
		"html": "<p>{{ points.balance }} points at {{ shop.name }}</p><p>{{ unsubscribe_link }}</p>"}
	if code := a.API(t, shop, "POST", "/api/messages/preview", map[string]any{"templates": sampleTemplates}, &out); code != 200 {
		t.Fatalf("preview: %d", code)
	}
	ownShop := strings.TrimSuffix(shop, ".myshopify.com")
	if out.Subject != "Hi Chrissy" || !out.Sample || !strings.Contains(out.Text, "1250 points at "+ownShop) ||
		!strings.Contains(out.Text, a.Cfg.AppURL+"/unsubscribe?t=sample") {
		t.Fatalf("sample preview = %+v", out)
	}
	ctx := context.Background()
	shopID, _, _ := models.InstallShop(ctx, a.DB, shop)
	models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: 77, FirstName: "Rosa", Email: "rosa@example.com"})
	if code := a.API(t, shop, "POST", "/api/messages/preview", map[string]any{"customer_id": "77", "templates": map[string]any{
		"subject": "Hi {{ customer.first_name }}, {{ points.balance }} points"}}, &out); code != 200 || out.Subject != "Hi Rosa, 0 points" || out.Sample {
		t.Fatalf("customer preview: %d %+v", code, out)
	}
	if code := a.API(t, shop, "POST", "/api/messages/preview", map[string]any{"templates": map[string]any{"sms": "{{ nope }}"}}, &e); code != 422 || e.Error.Field != "templates.sms" {
		t.Fatalf("preview of a broken template: %d %+v", code, e.Error)
	}

	// Test send reaches the merchant through the real SMTP server.
	var sent struct {
		Sent bool `json:"sent"`
	}
	if code := a.API(t, shop, "POST", fmt.Sprintf("/api/messages/%d/test", list.Messages[0].ID), map[string]any{"to": "owner@example.com"}, &sent); code != 200 || !sent.Sent {
		t.Fatalf("test send: %d", code)
	}
	msgs := srv.WaitFor(t, 1, 10*time.Second)
	if !strings.HasPrefix(msgs[0].Subject, "[Test] ") || msgs[0].To[0] != "owner@example.com" || msgs[0].Text == "" {
		t.Fatalf("test mail: %q to %v", msgs[0].Subject, msgs[0].To)
	}
	// The test mail is the preview's sample: the same shop and the same sample unsubscribe link.
	if !strings.Contains(msgs[0].Text, a.Cfg.AppURL+"/unsubscribe?t=sample") || strings.Contains(msgs[0].Text, "juniper-oak") {
		t.Errorf("test mail is not the preview's sample:\n%s", msgs[0].Text)
	}
}

func TestPolicyAPI(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("policy")
	a.Install(t, shop)
	var p messaging.MessagePolicy
	if code := a.API(t, shop, "GET", "/api/policy", nil, &p); code != 200 || p.FrequencyCapCount != 1 || p.FrequencyCapHours != 16 ||
		p.QuietStart != "21:00" || p.QuietEnd != "08:00" || p.NegativeReviewHoldDays != 14 || p.SubscriptionGraceDays != 7 ||
		p.NoticeWindowMinutes != 10 {
		t.Fatalf("defaults: %d %+v", code, p)
	}
	var e apiError
	for field, value := range map[string]any{"quiet_start": "25:00", "frequency_cap_hours": 0, "reply_to": "not an address", "frequency_cap_count": -1,
		"subscription_grace_days": 91, "notice_window_minutes": 1441} {
		body := map[string]any{field: value}
		if code := a.API(t, shop, "PUT", "/api/policy", body, &e); code != 422 || e.Error.Field != field {
			t.Errorf("%s=%v: %d %+v", field, value, code, e.Error)
		}
	}
	p.FrequencyCapCount, p.QuietStart, p.SenderName, p.SubscriptionGraceDays = 2, "20:30", "Juniper & Oak", 10
	var saved messaging.MessagePolicy
	if code := a.API(t, shop, "PUT", "/api/policy", p, &saved); code != 200 || saved.FrequencyCapCount != 2 || saved.QuietStart != "20:30" ||
		saved.SubscriptionGraceDays != 10 {
		t.Fatalf("save: %d %+v", code, saved)
	}
	a.API(t, shop, "GET", "/api/policy", nil, &p)
	if p.SenderName != "Juniper & Oak" || p.FrequencyCapHours != 16 {
		t.Fatalf("after save: %+v", p)
	}
}

func TestCampaignAPIValidation(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("camp")
	a.Install(t, shop)
	var e apiError
	cases := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "channel": "email", "subject": "s", "body": "b", "audience": map[string]any{}}, "audience"},
		{map[string]any{"name": "x", "channel": "email", "subject": "s", "body": "b", "audience": map[string]any{"stage": "new", "segment": "at_risk"}}, "audience"},
		{map[string]any{"name": "x", "channel": "email", "subject": "s", "body": "b", "audience": map[string]any{"segment": "vips"}}, "audience.segment"},
		{map[string]any{"name": "x", "channel": "fax", "subject": "s", "body": "b", "audience": map[string]any{"stage": "new"}}, "channel"},
		{map[string]any{"name": "x", "channel": "email", "body": "b", "audience": map[string]any{"stage": "new"}}, "subject"},
		{map[string]any{"name": "x", "channel": "email", "subject": "s", "body": "{% for %}", "audience": map[string]any{"stage": "new"}}, "body"},
		{map[string]any{"name": "x", "channel": "sms", "body": "{{ nope }}", "audience": map[string]any{"stage": "new"}}, "body"},
	}
	for i, c := range cases {
		if code := a.API(t, shop, "POST", "/api/campaigns", c.body, &e); code != 422 || e.Error.Field != c.field {
			t.Errorf("case %d: %d %+v, want field %s", i, code, e.Error, c.field)
		}
	}
	var created struct {
		ID int64 `json:"id"`
	}
	ok := map[string]any{"name": "Sale", "channel": "email", "subject": "Sale", "body": "<p>Sale</p>", "audience": map[string]any{"customer_ids": []int64{3, 1, 3}}}
	if code := a.API(t, shop, "POST", "/api/campaigns", ok, &created); code != 201 || created.ID == 0 {
		t.Fatalf("create: %d", code)
	}
	var sent, again struct {
		Status string `json:"status"`
	}
	a.API(t, shop, "POST", fmt.Sprintf("/api/campaigns/%d/send", created.ID), nil, &sent)
	a.API(t, shop, "POST", fmt.Sprintf("/api/campaigns/%d/send", created.ID), nil, &again)
	if sent.Status != "sending" || again.Status != "sending" {
		t.Fatalf("send twice: %q %q", sent.Status, again.Status)
	}
	var list struct {
		Campaigns []messaging.Campaign `json:"campaigns"`
	}
	if a.API(t, shop, "GET", "/api/campaigns", nil, &list); len(list.Campaigns) != 1 || len(list.Campaigns[0].Audience.CustomerIDs) != 2 {
		t.Fatalf("list: %+v", list)
	}
}

func TestUnsubscribeLink(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("unsub")
	a.Install(t, shop)
	ctx := context.Background()
	shopID, _, _ := models.InstallShop(ctx, a.DB, shop)
	models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: 5, Email: "u@example.com", EmailConsent: "subscribed"})
	link := jobs.UnsubscribeURL(a.Server.URL, a.Cfg.EncryptionKey, shopID, 5, messaging.ChannelEmail)

	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `method="post"`) {
		t.Fatalf("GET: %d %s", resp.StatusCode, body)
	}
	if c, _ := models.GetCustomer(ctx, a.DB, shopID, 5); c.EmailConsent != "subscribed" {
		t.Fatal("a GET (a mail scanner following the link) unsubscribed the shopper")
	}
	// RFC 8058 one-click: a POST with List-Unsubscribe=One-Click, no cookies, no page.
	resp, err = http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	if c, _ := models.GetCustomer(ctx, a.DB, shopID, 5); c.EmailConsent != messaging.ConsentUnsubscribed {
		t.Fatalf("consent after one-click = %q", c.EmailConsent)
	}
	facts, _ := messaging.LoadCustomerFacts(ctx, a.DB, shopID, []int64{5}, time.Hour, time.Now())
	if !facts.For(5, messaging.ChannelEmail).Suppressed {
		t.Fatal("not suppressed")
	}
	// A tampered token (another customer) is refused.
	u, _ := url.Parse(link)
	tok := u.Query().Get("t")
	tampered := a.Server.URL + "/unsubscribe?t=" + url.QueryEscape(strings.Replace(tok, tok[:4], "eyJm", 1)+"x")
	resp, _ = http.Post(tampered, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("tampered token: %d", resp.StatusCode)
	}
}

func TestSMSInboundStopAndStart(t *testing.T) {
	a := apptest.Start(t, apptest.Options{NoWorker: true})
	shop := testenv.Shop("sms")
	a.Install(t, shop)
	ctx := context.Background()
	shopID, _, _ := models.InstallShop(ctx, a.DB, shop)
	models.UpsertCustomer(ctx, a.DB, shopID, models.CustomerFact{CustomerID: 9, Phone: "+15555550123", SMSConsent: "subscribed"})

	var e apiError
	if code := a.API(t, shop, "PUT", "/api/sms/settings", map[string]any{"account_sid": "AC1", "from": "12345"}, &e); code != 422 || e.Error.Field != "from" {
		t.Fatalf("bad number: %d %+v", code, e.Error)
	}
	var view messaging.SMSSettingsView
	if code := a.API(t, shop, "PUT", "/api/sms/settings", map[string]any{"account_sid": "AC1", "auth_token": "secret-token", "from": "+15005550006"}, &view); code != 200 || !view.Configured {
		t.Fatalf("save: %d %+v", code, view)
	}
	a.API(t, shop, "GET", "/api/sms/settings", nil, &view)
	if !view.AuthTokenSet || view.AccountSID != "AC1" {
		t.Fatalf("view: %+v", view)
	}
	var row struct{ AuthToken []byte }
	if err := a.DB.Raw(`SELECT auth_token FROM sms_settings WHERE shop_id = ?`, shopID).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if len(row.AuthToken) == 0 || strings.Contains(string(row.AuthToken), "secret-token") {
		t.Fatal("the SMS token is stored in the clear")
	}

	post := func(body, token string) int {
		t.Helper()
		form := url.Values{"From": {"+15555550123"}, "To": {"+15005550006"}, "Body": {body}, "MessageSid": {"SM1"}}
		path := "/sms/inbound/" + shop
		sig := base64.StdEncoding.EncodeToString(handlers.TwilioSignature(token, a.Cfg.AppURL+path, form))
		req, _ := http.NewRequest("POST", a.Server.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("STOP", "wrong-token"); code != 401 {
		t.Fatalf("forged: %d", code)
	}
	if code := post("Stop.", "secret-token"); code != 200 {
		t.Fatalf("stop: %d", code)
	}
	c, _ := models.GetCustomer(ctx, a.DB, shopID, 9)
	facts, _ := messaging.LoadCustomerFacts(ctx, a.DB, shopID, []int64{9}, time.Hour, time.Now())
	if c.SMSConsent != messaging.ConsentUnsubscribed || !facts.For(9, messaging.ChannelSMS).Suppressed {
		t.Fatalf("after STOP: consent %q", c.SMSConsent)
	}
	if code := post("yes", "secret-token"); code != 200 {
		t.Fatalf("other text: %d", code)
	}
	if c, _ = models.GetCustomer(ctx, a.DB, shopID, 9); c.SMSConsent != messaging.ConsentUnsubscribed {
		t.Fatal("a plain 'yes' re-subscribed the shopper")
	}
	post("START", "secret-token")
	c, _ = models.GetCustomer(ctx, a.DB, shopID, 9)
	facts, _ = messaging.LoadCustomerFacts(ctx, a.DB, shopID, []int64{9}, time.Hour, time.Now())
	if c.SMSConsent != messaging.ConsentSubscribed || facts.For(9, messaging.ChannelSMS).Suppressed {
		t.Fatalf("after START: consent %q", c.SMSConsent)
	}
}
