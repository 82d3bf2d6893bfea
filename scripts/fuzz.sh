#!/usr/bin/env bash
# Fuzzes every parser that faces the internet for FUZZTIME each (default 30s), one after another.
#
# -fuzzminimizetime is bounded: Go minimizes each new interesting input for up to 60 s by
# default, and for byte inputs that work grows with the square of the input's length. With
# kilobyte-sized seeds (a review export) the fuzzer spent nearly all its time minimizing: that
# was FuzzImportReader's "stall after about 10 inputs". 100 tries per input keeps it fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${FUZZTIME:-30s}
targets=(
  "./shopify/ FuzzVerifyAdminQuery" "./shopify/ FuzzVerifyProxyQuery" "./shopify/ FuzzVerifySessionToken" "./shopify/ FuzzHistoryReader"
  "./models/ FuzzImportReader" "./models/ FuzzMigrationReader" "./messaging/ FuzzVerify" "./messaging/ FuzzRender" "./sentiment/ FuzzScore"
  "./handlers/ FuzzWebhook" "./handlers/ FuzzReviewSubmission" "./handlers/ FuzzProxyLoyaltyBodies"
  "./handlers/ FuzzSMSInbound" "./handlers/ FuzzOAuthCallback" "./handlers/ FuzzOneClickUnsubscribe" "./handlers/ FuzzFlowAction"
  "./jobs/ FuzzWorkerPayloads"
)
for t in "${targets[@]}"; do
  set -- $t
  echo "==> $2 ($1) for $time" >&2
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$time" -fuzzminimizetime 100x "$1"
done
