// Checks the admin's catalogues (src/locales/*.json) against the words the code uses: every key
// passed to t() or msg() as a literal, and the variable descriptions the API sends
// (models/messaging/template_catalog.go). Each language must have every key, in every plural
// form Intl.PluralRules names for it, with the same {{variables}} as the English; a catalogue
// must hold nothing the code no longer uses.
// Usage: node scripts/i18n-check.mjs [--missing LANG]   (--missing prints what LANG lacks, as JSON)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(web, 'src');

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(jsx?|mjs)$/.test(f) ? [p] : [];
  });
}

const unescape = (s) => s.replace(/\\(.)/g, '$1');
export function sourceKeys() {
  const keys = new Set();
  const problems = [];
  for (const f of files(src)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?<![\w.])(t|msg)\(\s*'((?:[^'\\]|\\.)*)'/g)) keys.add(unescape(m[2]));
    for (const m of text.matchAll(/(?<![\w.])(t|msg)\(\s*[`"]/g)) problems.push(`${f}: ${m[0]}… a key must be a single-quoted literal`);
  }
  const go = readFileSync(join(web, '..', 'models', 'messaging', 'template_catalog.go'), 'utf8');
  for (const m of go.matchAll(/desc: "((?:[^"\\]|\\.)*)"/g)) keys.add(unescape(m[1]));
  return { keys: [...keys].sort(), problems };
}

const vars = (s) => [...s.matchAll(/\{\{\s*(\w+)(?:\s*,[^}]*)?\}\}/g)].map((m) => m[1]).sort().join(',');
const isPlural = (k) => /\{\{\s*count\s*\}\}/.test(k);

export function check(lang, catalog, keys) {
  const errors = [];
  const missing = {};
  const forms = lang === 'en' ? ['one', 'other'] : new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
  const wanted = new Set();
  for (const k of keys) {
    const names = isPlural(k) ? forms.map((f) => `${k}_${f}`) : lang === 'en' ? [] : [k];
    for (const n of names) {
      wanted.add(n);
      const v = catalog[n];
      if (typeof v !== 'string' || !v.trim()) missing[n] = isPlural(k) ? k : n;
      else if (vars(v) !== vars(k) && !(isPlural(k) && vars(v) === vars(k).replace(/(^|,)count(,|$)/, '$1$2').replace(/^,|,$/g, '')))
        errors.push(`${lang}: ${JSON.stringify(n)} has {{${vars(v)}}}, the key has {{${vars(k)}}}`);
    }
  }
  for (const n of Object.keys(catalog)) if (!wanted.has(n)) errors.push(`${lang}: ${JSON.stringify(n)} is not used by the code`);
  for (const n of Object.keys(missing)) errors.push(`${lang}: missing ${JSON.stringify(n)}`);
  return { errors, missing };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { keys, problems } = sourceKeys();
  const only = process.argv.indexOf('--missing');
  const langs = readdirSync(join(src, 'locales')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  let failed = problems.length;
  for (const p of problems) console.error(p);
  for (const lang of only > 0 ? [process.argv[only + 1]] : langs) {
    const catalog = JSON.parse(readFileSync(join(src, 'locales', `${lang}.json`), 'utf8'));
    const { errors, missing } = check(lang, catalog, keys);
    if (only > 0) {
      console.log(JSON.stringify(missing, null, 1));
      continue;
    }
    for (const e of errors) console.error(e);
    failed += errors.length;
  }
  if (only < 0) console.log(`${keys.length} keys; ${langs.length} languages; ${failed} problems`);
  process.exit(failed ? 1 : 0);
}
