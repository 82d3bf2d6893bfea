package config

import (
	"strings"
	"testing"
)

func env(over map[string]string) Getenv {
	base := map[string]string{
		"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "APP_URL": "https://app.example.com",
		"DATABASE_URL": "postgres://x", "REDIS_URL": "redis://x", "OPS_PASSWORD": "p",
		"ENCRYPTION_KEY": strings.Repeat("ab", 32), "SMTP_URL": "smtp://mail.example.com:587",
	}
	for k, v := range over {
		base[k] = v
	}
	return func(k string) string { return base[k] }
}

func TestLoadValid(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "production" || c.LogFormat != "json" || c.Port != 8080 || c.ShopifyAPIVersion != APIVersion {
		t.Fatalf("defaults: %+v", c)
	}
	if got := c.Secrets(); len(got) != 1 {
		t.Fatalf("secrets without a previous one = %v", got)
	}
}

// Every bad variable is named in one error, so an operator fixes them all at once.
func TestLoadRefusesWithEveryReason(t *testing.T) {
	_, err := Load(env(map[string]string{
		"SHOPIFY_API_SECRET": "", "ENCRYPTION_KEY": "short", "SHOPIFY_API_VERSION": "2025-01",
		"APP_URL": "http://app.example.com", "PORT": "http", "SHOPIFY_BASE_URL": "https://example.com",
		"BOOMERANG_ENV": "staging",
	}))
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	for _, name := range []string{"SHOPIFY_API_SECRET", "ENCRYPTION_KEY", "SHOPIFY_API_VERSION", "APP_URL", "PORT", "SHOPIFY_BASE_URL", "BOOMERANG_ENV"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}

func TestDevelopmentRelaxesProductionOnlyChecks(t *testing.T) {
	c, err := Load(env(map[string]string{"BOOMERANG_ENV": "development", "OPS_PASSWORD": "", "SMTP_URL": "",
		"APP_URL": "http://localhost:8080", "SHOPIFY_API_SECRET_PREVIOUS": "old"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LogFormat != "text" || len(c.Secrets()) != 2 {
		t.Fatalf("development config: %+v", c)
	}
}
