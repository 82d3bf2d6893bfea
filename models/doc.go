// Package models is Boomerang's domain layer over Postgres. Data flows one way: handlers and
// jobs call models, and models talk to the database; every query is scoped by shop.
//
// The package itself is the core every domain shares: shops and their tokens, customers,
// orders, fulfillments and refunds, subscriptions, webhook deliveries, events and their typed
// payloads, segments, holds (any domain may pause a customer's promotions; messaging honours
// them), complaint themes, scoping, errors, transactions and advisory locks.
//
// The domains sit below it and import it, never the other way round:
//   - loyalty: the points ledger, tiers, rewards, referrals;
//   - messaging: messages, campaigns, the send policy and the decision log;
//   - reviews: reviews, review requests, photos, make-it-right cases;
//   - insights: the scorecard, its rollups and the customer timeline (the read side).
//
// A use case that needs Shopify takes the calls it needs as an interface its package names
// (platform.go has the core's, with the answers they share: ErrNoAdminToken, Refusal);
// shopify.Admin implements them, and nothing here imports the API client.
package models
