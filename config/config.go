// Package config reads Boomerang's settings from the environment, once, at start.
// Every variable is documented in the README's config table; Load refuses to start
// with a message naming each bad variable instead of failing later at first use.
package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/boomerang-app/boomerang/delivery"
)

// APIVersion is the one Shopify Admin API version the app speaks; shopify.app.toml pins the same.
const APIVersion = "2026-10"

type Config struct {
	Env       string // development | production
	Port      int
	AppURL    string
	LogLevel  string
	LogFormat string

	ShopifyAPIKey            string
	ShopifyAPISecret         string
	ShopifyAPISecretPrevious string
	ShopifyScopes            string
	ShopifyAPIVersion        string
	ShopifyBaseURL           string // template with {shop}, e.g. https://{shop}

	DatabaseURL   string
	RedisURL      string
	EncryptionKey []byte // 32 bytes for AES-256-GCM

	OpsPassword string
	SMTPURL     string
	MailFrom    string
	SMTPTimeout time.Duration
	// DKIM are the mail signing keys by sending domain (DKIM_KEYS).
	DKIM []*delivery.DKIMKey
	// TrustedProxyHops is how many proxies of the operator's own (load balancers) stand between
	// Shopify's app proxy and this process; each appends one X-Forwarded-For entry after the one
	// Shopify's proxy appended for the shopper.
	TrustedProxyHops int

	WorkerConcurrency int
	DrainWorkers      int // loops per worker process applying order deliveries in batches
	DBMaxConns        int
	ShutdownTimeout   time.Duration
}

// Development reports whether development-only routes and defaults are on.
func (c *Config) Development() bool { return c.Env == "development" }

// Secrets returns the secrets a Shopify signature may be made with: the current one, then the
// previous one while a rotation is in progress.
func (c *Config) Secrets() []string {
	if c.ShopifyAPISecretPrevious == "" {
		return []string{c.ShopifyAPISecret}
	}
	return []string{c.ShopifyAPISecret, c.ShopifyAPISecretPrevious}
}

// Getenv lets tests and `boomerang dev` supply values without touching the process environment.
type Getenv func(string) string

// Load reads and validates the configuration. All problems are reported together.
func Load(getenv Getenv) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var errs []error
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	atoi := func(name string, def, min int) int {
		s := get(name, "")
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < min {
			errs = append(errs, fmt.Errorf("%s: must be an integer >= %d, got %q", name, min, s))
			return def
		}
		return n
	}
	c := &Config{
		Env:                      get("BOOMERANG_ENV", "production"),
		AppURL:                   strings.TrimRight(get("APP_URL", ""), "/"),
		LogLevel:                 get("LOG_LEVEL", "info"),
		LogFormat:                get("LOG_FORMAT", ""),
		ShopifyAPIKey:            get("SHOPIFY_API_KEY", ""),
		ShopifyAPISecret:         get("SHOPIFY_API_SECRET", ""),
		ShopifyAPISecretPrevious: get("SHOPIFY_API_SECRET_PREVIOUS", ""),
		ShopifyScopes:            get("SHOPIFY_SCOPES", "read_orders,read_customers,write_customers,write_discounts,write_products,write_app_proxy,read_locales"),
		ShopifyAPIVersion:        get("SHOPIFY_API_VERSION", APIVersion),
		ShopifyBaseURL:           get("SHOPIFY_BASE_URL", "https://{shop}"),
		DatabaseURL:              get("DATABASE_URL", ""),
		RedisURL:                 get("REDIS_URL", ""),
		OpsPassword:              get("OPS_PASSWORD", ""),
		SMTPURL:                  get("SMTP_URL", ""),
		MailFrom:                 get("MAIL_FROM", "Boomerang <no-reply@boomerang.localhost>"),
	}
	c.Port = atoi("PORT", 8080, 1)
	c.WorkerConcurrency = atoi("WORKER_CONCURRENCY", 20, 1)
	c.DrainWorkers = atoi("DRAIN_WORKERS", 2, 1)
	c.DBMaxConns = atoi("DB_MAX_CONNS", 20, 2)
	c.ShutdownTimeout = time.Duration(atoi("SHUTDOWN_TIMEOUT_SECONDS", 10, 1)) * time.Second
	c.SMTPTimeout = time.Duration(atoi("SMTP_TIMEOUT_SECONDS", 30, 1)) * time.Second
	c.TrustedProxyHops = atoi("TRUSTED_PROXY_HOPS", 0, 0)

	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, fmt.Errorf("BOOMERANG_ENV: must be development or production, got %q", c.Env))
	}
	if c.LogFormat == "" {
		c.LogFormat = map[bool]string{true: "text", false: "json"}[c.Development()]
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT: must be text or json, got %q", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("LOG_LEVEL: must be debug, info, warn or error, got %q", c.LogLevel))
	}
	required := map[string]string{
		"SHOPIFY_API_KEY": c.ShopifyAPIKey, "SHOPIFY_API_SECRET": c.ShopifyAPISecret,
		"DATABASE_URL": c.DatabaseURL, "REDIS_URL": c.RedisURL, "APP_URL": c.AppURL,
	}
	for _, name := range []string{"SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "APP_URL", "DATABASE_URL", "REDIS_URL"} {
		if required[name] == "" {
			errs = append(errs, fmt.Errorf("%s: required", name))
		}
	}
	if c.ShopifyAPIVersion != APIVersion {
		errs = append(errs, fmt.Errorf("SHOPIFY_API_VERSION: must be %s (the version shopify.app.toml pins), got %q", APIVersion, c.ShopifyAPIVersion))
	}
	if !strings.Contains(c.ShopifyBaseURL, "{shop}") {
		errs = append(errs, fmt.Errorf("SHOPIFY_BASE_URL: must contain {shop}, got %q", c.ShopifyBaseURL))
	} else if _, err := url.Parse(strings.ReplaceAll(c.ShopifyBaseURL, "{shop}", "x.myshopify.com")); err != nil {
		errs = append(errs, fmt.Errorf("SHOPIFY_BASE_URL: %v", err))
	}
	if c.AppURL != "" {
		if u, err := url.Parse(c.AppURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("APP_URL: must be an absolute http(s) URL, got %q", c.AppURL))
		} else if u.Scheme != "https" && !c.Development() {
			errs = append(errs, fmt.Errorf("APP_URL: must be https in production (Shopify requires TLS), got %q", c.AppURL))
		}
	}
	key := get("ENCRYPTION_KEY", "")
	if b, err := hex.DecodeString(key); err != nil || len(b) != 32 {
		errs = append(errs, errors.New("ENCRYPTION_KEY: must be 64 hex characters (32 bytes); generate one with `openssl rand -hex 32`"))
	} else {
		c.EncryptionKey = b
	}
	if !c.Development() && c.OpsPassword == "" {
		errs = append(errs, errors.New("OPS_PASSWORD: required in production (protects /ops/jobs and /metrics)"))
	}
	if !c.Development() && c.SMTPURL == "" {
		errs = append(errs, errors.New("SMTP_URL: required in production (retention emails are sent through it), e.g. smtp+starttls://user:pass@smtp.example.com:587"))
	}
	if spec := get("DKIM_KEYS", ""); spec != "" {
		c.DKIM, errs = dkimKeys(spec, c.MailFrom, errs)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid configuration:\n  %w", joinLines(errs))
	}
	return c, nil
}

func joinLines(errs []error) error {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Error()
	}
	return errors.New(strings.Join(parts, "\n  "))
}

// dkimKeys reads DKIM_KEYS: comma-separated domain:selector:path entries, each a PEM private key
// file, one of them for MAIL_FROM's domain (mail from it is what gets signed).
func dkimKeys(spec, mailFrom string, errs []error) ([]*delivery.DKIMKey, []error) {
	var keys []*delivery.DKIMKey
	for _, entry := range strings.Split(spec, ",") {
		parts := strings.SplitN(strings.TrimSpace(entry), ":", 3)
		if len(parts) != 3 {
			errs = append(errs, fmt.Errorf("DKIM_KEYS: entry %q: want domain:selector:/path/to/key.pem", entry))
			continue
		}
		pemKey, err := os.ReadFile(parts[2])
		if err != nil {
			errs = append(errs, fmt.Errorf("DKIM_KEYS: key file of %s: %v", parts[0], err))
			continue
		}
		k, err := delivery.ParseDKIMKey(parts[0], parts[1], pemKey)
		if err != nil {
			errs = append(errs, fmt.Errorf("DKIM_KEYS: %s: %v", parts[0], err))
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errs
	}
	domain := ""
	if a, err := mail.ParseAddress(mailFrom); err == nil {
		domain = strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
	}
	for _, k := range keys {
		if k.Domain == domain {
			return keys, errs
		}
	}
	return keys, append(errs, fmt.Errorf("DKIM_KEYS: no key for MAIL_FROM's domain %q, whose mail is the mail sent", domain))
}
