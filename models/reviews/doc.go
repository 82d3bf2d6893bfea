// Package reviews owns what shoppers say about products: reviews and their photos, the
// review requests sent after delivery, review settings, the storefront's published pages and
// rating summaries, imports from other review apps, and the make-it-right cases a negative
// review opens (with their alerts to the merchant).
//
// It writes its own tables and raises events (review_request, review_reminder,
// negative_review) for messaging to act on. It reads core facts through models (shops,
// customers, orders, fulfillments) and feeds the complaint themes models keeps. Three calls
// still reach domains that live in models today, each inside the transaction that decides
// it: the first-review bonus (loyalty's AwardBonus), the promotions hold while a case is open
// (messaging's PlaceHold and ReleaseHolds) and the negative-review threshold read from the
// message policy. Nothing in models calls into reviews: its tables take part in a customer's
// data export and redaction through the registries it joins in init.
package reviews
