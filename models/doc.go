// Package models is Boomerang's domain layer over Postgres. Data flows one way: handlers and
// jobs call models, and models talk to the database; every query is scoped by shop.
//
// The package itself is the core every domain shares: shops and their tokens, customers,
// orders, fulfillments and refunds, subscriptions, webhook deliveries, events and their typed
// payloads, complaint themes, scoping, errors, transactions and advisory locks. Loyalty
// (ledger, tiers, rewards, referrals) and messaging (messages, campaigns, policy, holds,
// decisions) still live here too, on their way to packages of their own.
//
// Domains that have moved out sit below it and import it, never the other way round:
//   - reviews: reviews, review requests, photos, make-it-right cases;
//   - insights: the scorecard, its rollups and the customer timeline (the read side).
package models
