// Reports the first-load size of the built admin: the JS and CSS that dist/index.html pulls in before any
// dynamic import (entry script + modulepreload links + stylesheets), raw and gzipped (zlib level 9).
// Usage: npm run build && npm run size [-- --max-js-kb=350]
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\/?(assets\/[^"]+)"/g)].map((m) => m[1]);
const kb = (n) => (n / 1024).toFixed(1);

function measure(files) {
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const b = readFileSync(join(dist, f));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
  }
  return { raw, gz };
}

const firstJs = refs.filter((f) => f.endsWith('.js'));
const firstCss = refs.filter((f) => f.endsWith('.css'));
const allJs = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
const lazyJs = allJs.filter((f) => !firstJs.includes(f));

const js = measure(firstJs);
const css = measure(firstCss);
const lazy = measure(lazyJs);
console.log(`first-load JS : ${kb(js.raw)} KB raw, ${kb(js.gz)} KB gzip  (${firstJs.join(', ')})`);
console.log(`first-load CSS: ${kb(css.raw)} KB raw, ${kb(css.gz)} KB gzip`);
console.log(`lazy JS       : ${kb(lazy.raw)} KB raw, ${kb(lazy.gz)} KB gzip  (${lazyJs.join(', ')})`);

const max = process.argv.find((a) => a.startsWith('--max-js-kb='));
if (max && js.gz / 1024 > Number(max.split('=')[1])) {
  console.error(`first-load JS ${kb(js.gz)} KB gzip is over the ${max.split('=')[1]} KB budget`);
  process.exit(1);
}
