// Shared browser plumbing for the admin tests: Debian's chromium through playwright-core, console-error
// collection and axe-core accessibility checks.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const artifacts = join(here, 'artifacts');
export const baseURL = (process.env.BOOMERANG_E2E_URL || '').replace(/\/+$/, '');
export const shop = process.env.BOOMERANG_E2E_SHOP || 'demo.myshopify.com';
const executablePath = process.env.BOOMERANG_E2E_CHROMIUM || '/usr/bin/chromium';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Without the networking flags Chromium keeps calling hosts this machine cannot reach.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The server's shell loads App Bridge from Shopify's CDN, which a test machine cannot reach (and which would
// try to redirect into Shopify admin). Tests answer it themselves: by default with an empty script (the page
// then runs as it does outside Shopify); with `appBridge` set, with that script, e.g. a stub of window.shopify.
export async function launch({ appBridge = '' } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'boomerang-e2e-'));
  mkdirSync(artifacts, { recursive: true });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 900 },
    baseURL,
  });
  await context.route('https://cdn.shopify.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: route.request().url().includes('app-bridge') ? appBridge : '' }),
  );
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// url adds the shop to a path the way Shopify admin would, so /dev/session knows which shop to sign for.
export function url(path) {
  const sep = path.includes('?') ? '&' : '?';
  return `${baseURL}${path}${sep}shop=${encodeURIComponent(shop)}`;
}

// embeddedURL is the address Shopify admin frames: the shop plus a fresh session token in `id_token`. The
// server verifies it and serves the shell with App Bridge, as it does inside the admin.
export async function embeddedURL(path) {
  const res = await fetch(`${baseURL}/dev/session?shop=${encodeURIComponent(shop)}`);
  const { token } = await res.json();
  return `${url(path)}&embedded=1&id_token=${encodeURIComponent(token)}`;
}

// watch records console errors, uncaught exceptions and failed same-origin responses (>= 500) on a page.
export function watch(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`exception: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 500 && res.url().startsWith(baseURL)) problems.push(`http ${res.status()}: ${res.url()}`);
  });
  return problems;
}

// settle waits until the page heading is up and no skeleton or chart spinner is left.
export async function settle(page, testId) {
  await page.locator(`[data-testid="${testId}"] h1`).first().waitFor({ state: 'visible', timeout: 15000 });
  await page.waitForLoadState('networkidle', { timeout: 15000 }).catch(() => {});
  await page.locator('[data-testid="loading"]').first().waitFor({ state: 'detached', timeout: 15000 }).catch(() => {});
  await page.locator('[role="status"] .Polaris-Spinner').first().waitFor({ state: 'detached', timeout: 15000 }).catch(() => {});
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

// axeViolations returns the serious and critical accessibility violations on the current page.
export async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
  return results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(violations) {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.targets.join('\n    ')}`).join('\n');
}
