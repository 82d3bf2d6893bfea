#!/usr/bin/env bash
# The fault matrix: each fault below is injected by a Go test on real Postgres and Redis (a
# private redis-server the test can stop, a real SMTP sink that stalls or refuses, a worker
# killed mid-task), and each test asserts the expected outcome, with nothing lost and nothing
# sent or credited twice. This runs them all and prints one line per fault; docs/reliability.md
# keeps the latest results.
#
#   make faults
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/test-redis.sh

# package | test | fault | expected outcome
matrix=(
  "./handlers/|TestWebhookPostgresDown|Postgres unreachable at ingest|503, so Shopify retries; nothing acknowledged unstored"
  "./jobs/|TestRedisRestartDuringIngest|Redis down while 20 webhooks arrive, back empty|all acknowledged and stored; swept and applied once each"
  "./jobs/|TestWorkerKilledMidTask|worker killed between apply and mark-processed|replayed to the same facts; no effect doubled"
  "./handlers/|TestWebhookConcurrentDuplicates|20 concurrent deliveries of one webhook id|stored once"
  "./handlers/|TestWebhookRedeliveryAfterProcessing|redelivery after processing|not applied again"
  "./jobs/|TestOutOfOrderDeliveries|deliveries out of order, refund before its order, full replay|newest state wins; replay changes nothing"
  "./jobs/|TestPoisonNeverBlocksTheSweeper|5,000 unparseable deliveries, then Redis down, then 50 valid orders|poison recorded as failed; every valid order processed"
  "./jobs/|TestPermanentFailuresAreNotRetried|unparseable body, missing id, numeric overflow|failed at the first attempt with the reason; no task left retrying"
  "./jobs/|TestLateWebhooksAfterShopRedact|300 orders at 100/s across app/uninstalled and shop/redact, relay down|no shop re-created, no row left, no mail sent"
  "./jobs/|TestSlowSMTPNeverDoubleSends|relay answers 250 after the client gave up|one copy per shopper; outcome unknown; resent only by hand"
  "./jobs/|TestSMTPRefusedBeforeDataIsRetried|relay refuses (451) or hangs before DATA|retried until delivered, one copy each"
  "./messaging/|TestSMSTimeoutOutcome|SMS API silent after the request was written|outcome unknown, not retried; unreachable API is retried"
  "./jobs/|TestDeliverySMSQuietHoursFailuresAndCrash|worker crash while a message is being sent|outcome unknown, never sent twice"
  "./models/|TestLoyaltyConcurrentRedemptionsNeverOverspend|100 concurrent redemptions on one balance|exactly the affordable ones succeed"
  "./models/|TestLoyaltyConcurrentDeliveriesSettleExactly|the same order settled by concurrent workers|one earn"
  "./jobs/|TestLoyaltyRewardSweepIssuesPending|Shopify throttles discount creation|redemption stays pending, retried with the same code"
  "./models/|TestRedemptionPointsGoBackToTheirLots|Shopify refuses a discount; a rewarded order is refunded|points return to their original lots and expiry, once"
  "./jobs/|TestUninstallThenReinstallBySession|uninstall, then reinstall (worker in another process)|fresh token; old one never used"
  "./jobs/|TestReinstallAfterShopRedactInAnotherProcess|shop/redact, then reinstall|a fresh, empty shop record"
  "./jobs/|TestShopRedactAfterReinstallKeepsData|shop/redact arriving after the merchant installed again|the live shop's data is kept"
)

pass=0 fail=0
printf '%-4s | %-62s | %s\n' "ok" "fault" "expected outcome"
for row in "${matrix[@]}"; do
  IFS='|' read -r pkg test fault expected <<<"$row"
  if out=$(go test -count=1 -run "^${test}\$" "$pkg" 2>&1) && grep -q '^ok' <<<"$out" && ! grep -q 'no tests to run' <<<"$out"; then
    pass=$((pass + 1)); mark=PASS
  else
    fail=$((fail + 1)); mark=FAIL
    printf '%s\n' "$out" | grep -v '^redis: ' | tail -15 >&2
  fi
  printf '%-4s | %-62s | %s\n' "$mark" "$fault" "$expected"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
