// Package messaging owns what Boomerang says to shoppers and when: the merchant's messages and
// campaigns, the policy that decides each candidate message (consent, quiet hours, frequency
// caps, holds, subscriptions, the notice window), the decision log with its reasons, and the
// opt-outs and sends recorded against it. Rendering and the channels themselves are
// delivery's; the jobs package runs the dispatch.
//
// It reads core facts and the holds other domains place through models, and loyalty's
// statement for a message's points variables (message_vars_loyalty.go). Nothing in models
// calls into messaging: the subscription facts take the merchant's timing as a value
// (models.SubscriptionTiming), and a shop that uninstalls has its pending messages skipped
// through the registry (models.RegisterShopLeaver).
package messaging
