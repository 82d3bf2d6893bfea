// Runs Shopify's theme-check (@shopify/theme-check-node, the theme-app-extension rule set from the
// extension's .theme-check.yml) on every theme extension, and holds the storefront assets to
// their gzipped budgets (docs/benchmarks.md). Fails on any error or warning, or a budget
// exceeded. Usage: node scripts/theme-check.mjs [--report]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { check } from '@shopify/theme-check-node';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const extensions = join(repo, 'extensions');
const severities = ['error', 'warning', 'info'];

// What a shopper's browser fetches for each part, and its budget in gzipped bytes.
const budgets = [
  { part: 'loyalty launcher (button + panel)', files: ['launcher.js', 'launcher-panel.js', 'launcher.css'], max: 25 * 1024 },
  { part: 'product reviews (block + stars)', files: ['reviews.js', 'reviews.css'], max: 15 * 1024 },
];

let failed = false;
for (const name of readdirSync(extensions)) {
  const root = join(extensions, name);
  const toml = join(root, 'shopify.extension.toml');
  if (!existsSync(toml) || !/^type = "theme"$/m.test(readFileSync(toml, 'utf8'))) continue;
  const offenses = (await check(root, join(root, '.theme-check.yml'))).filter((o) => o.severity <= 1);
  for (const o of offenses) {
    const file = relative(repo, fileURLToPath(o.uri));
    console.error(`${severities[o.severity]} ${o.check} ${file}:${(o.start?.line ?? 0) + 1}: ${o.message}`);
  }
  console.error(`==> theme-check ${name}: ${offenses.length} errors or warnings`);
  failed ||= offenses.length > 0;

  for (const b of budgets) {
    const paths = b.files.map((f) => join(root, 'assets', f));
    if (!paths.every(existsSync)) continue;
    let raw = 0;
    let gz = 0;
    for (const p of paths) {
      const bytes = readFileSync(p);
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    const ok = gz <= b.max;
    console.error(`==> ${b.part}: ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${b.max / 1024} KB)${ok ? '' : ' OVER BUDGET'}`);
    failed ||= !ok;
  }
}
process.exit(failed ? 1 : 0);
