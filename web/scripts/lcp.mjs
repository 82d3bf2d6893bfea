// Measures largest contentful paint of each admin page in Debian's chromium against a running server in
// development mode (its /dev/session mints the session token the page fetches). A measurement, not a
// test: it prints figures and passes no judgement. See docs/bench/web.md.
//
// Usage: BOOMERANG_E2E_URL=http://127.0.0.1:8080 BOOMERANG_E2E_SHOP=demo.myshopify.com \
//          node scripts/lcp.mjs [--runs=7] [--json=out.json]
// Each run is a cold load (a new browser profile: empty cache, no service worker) followed by a warm
// reload in the same profile. LCP counts until the page's data is drawn: the server answers the API
// calls inside that time.
import { writeFileSync } from 'node:fs';
import { baseURL, launch, settle, shop, url } from '../e2e/browser.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs || 7);
if (!baseURL) {
  console.error('set BOOMERANG_E2E_URL to the server to measure');
  process.exit(2);
}

const pages = [
  { name: 'home (scorecard)', path: '/', testId: 'page-home' },
  { name: 'customers', path: '/customers', testId: 'page-customers' },
  { name: 'customer 360', path: null, testId: 'page-customer' },
  { name: 'loyalty', path: '/loyalty', testId: 'page-loyalty' },
  { name: 'reviews', path: '/reviews', testId: 'page-reviews' },
  { name: 'messages', path: '/messages', testId: 'page-messages' },
  { name: 'activity', path: '/activity', testId: 'page-activity' },
];

// lcp reads the last largest-contentful-paint entry and the navigation's first bytes and paint.
async function lcp(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        new PerformanceObserver((list) => {
          const last = list.getEntries().at(-1);
          resolve({
            lcp: last.startTime,
            element: last.element ? `${last.element.tagName.toLowerCase()}${last.element.dataset.testid ? `[${last.element.dataset.testid}]` : ''}` : '',
            ttfb: nav ? nav.responseStart : null,
            fcp: fcp ? fcp.startTime : null,
          });
        }).observe({ type: 'largest-contentful-paint', buffered: true });
      }),
  );
}

async function measure(context, path, testId) {
  const page = await context.newPage();
  try {
    await page.goto(url(path));
    await settle(page, testId);
    return await lcp(page);
  } finally {
    await page.close();
  }
}

// A customer to open: the first one the list shows.
async function firstCustomerPath() {
  const { token } = await (await fetch(`${baseURL}/dev/session?shop=${encodeURIComponent(shop)}`)).json();
  const res = await fetch(`${baseURL}/api/customers?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
  const { customers } = await res.json();
  return `/customers/${customers[0].id}`;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x) => (x == null ? '—' : `${Math.round(x)}`);

const results = [];
for (const p of pages) {
  const path = p.path ?? (await firstCustomerPath());
  const cold = [];
  const warm = [];
  let element = '';
  for (let i = 0; i < runs; i++) {
    const browser = await launch();
    try {
      const c = await measure(browser.context, path, p.testId);
      cold.push(c);
      element = c.element;
      warm.push(await measure(browser.context, path, p.testId));
    } finally {
      await browser.close();
    }
  }
  const row = {
    page: p.name,
    path,
    element,
    cold_lcp_median: pct(cold.map((r) => r.lcp), 50),
    cold_lcp_p95: pct(cold.map((r) => r.lcp), 95),
    cold_fcp_median: pct(cold.map((r) => r.fcp), 50),
    warm_lcp_median: pct(warm.map((r) => r.lcp), 50),
    warm_lcp_p95: pct(warm.map((r) => r.lcp), 95),
  };
  results.push(row);
  console.log(
    `${row.page.padEnd(18)} cold LCP median ${ms(row.cold_lcp_median)} ms, p95 ${ms(row.cold_lcp_p95)} ms (FCP ${ms(row.cold_fcp_median)} ms); ` +
      `warm LCP median ${ms(row.warm_lcp_median)} ms, p95 ${ms(row.warm_lcp_p95)} ms; element ${row.element}`,
  );
}
if (args.json) writeFileSync(args.json, JSON.stringify({ runs, baseURL, results }, null, 2));
