// Package reviews owns what shoppers say about products: reviews and their photos, the
// review requests sent after delivery, review settings, the storefront's published pages and
// rating summaries, imports from other review apps, and the make-it-right cases a negative
// review opens (with their alerts to the merchant).
//
// It writes its own tables and raises events (review_request, review_reminder,
// negative_review, review_submitted) for the bus to route: messaging acts on them, loyalty
// pays the first-review bonus on review_submitted, and a case's merchant alert goes to
// delivery on its negative_review (AlertsFor). It reads core facts through models (shops,
// customers, orders, fulfillments), places and releases the promotions hold while a case is
// open (the core's PlaceHold and ReleaseHolds) and feeds the complaint themes models keeps.
// One call still reaches another domain, inside the transaction that decides it: the
// negative-review threshold read from messaging's message policy. Nothing in models calls into reviews: its tables take part in a customer's
// data export and redaction through the registries it joins in init.
package reviews
