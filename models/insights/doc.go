// Package insights is the read side of Boomerang: the retention scorecard and the rollups it
// is built from (churn, AOV, CLV, cohorts, subscription cancellations, points liability) and
// a customer's timeline across every domain.
//
// It owns the metrics rollup tables and writes nothing else. It reads the facts and the other
// domains' records directly, because a report is a query over all of them; nothing in models
// or its other packages calls into insights, so a report can never change what it reports on.
// Handlers and jobs (the scorecard refresh, the history import's rebuild) call it.
package insights
