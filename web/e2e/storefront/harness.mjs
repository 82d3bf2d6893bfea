// A stand-in for a Shopify storefront, for the theme extension's browser tests. It renders the
// extension's blocks with liquidjs and stub Liquid objects (product, customer, shop, block
// settings from each block's schema defaults), serves the extension's assets where asset_url
// points, and forwards /apps/boomerang/* to the running app's /proxy/* signed as Shopify's app
// proxy signs it, with the signed-in customer as logged_in_customer_id.
//
// What it cannot be: Shopify's own Liquid. The product's rating metafields are stubbed from the
// app's review summary (the values the app writes with metafieldsSet; TestRatingMetafields checks
// that writing against the fake Admin API).
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Liquid, Tag } from 'liquidjs';

const ext = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'extensions', 'boomerang-storefront');
const types = { '.js': 'text/javascript', '.css': 'text/css' };

// signProxy signs a query as Shopify's app proxy does: every parameter but the signature as
// key=value (values joined by commas), sorted, concatenated, HMAC-SHA256 in hex.
export function signProxy(params, secret) {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`).sort();
  return createHmac('sha256', secret).update(parts.join('')).digest('hex');
}

function translations(locale) {
  const file = join(ext, 'locales', `${locale}.json`);
  const en = JSON.parse(readFileSync(join(ext, 'locales', 'en.default.json'), 'utf8'));
  return { en, own: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : en };
}

function engine(locale) {
  const { en, own } = translations(locale);
  const lookup = (tree, key) => key.split('.').reduce((n, k) => (n == null ? n : n[k]), tree);
  const liquid = new Liquid({ root: [join(ext, 'blocks')], partials: join(ext, 'snippets'), extname: '.liquid' });
  // {% schema %}…{% endschema %} is read by Shopify, not rendered.
  liquid.registerTag('schema', class extends Tag {
    constructor(token, remain, l) {
      super(token, remain, l);
      while (remain.length) {
        const t = remain.shift();
        if (t.name === 'endschema') return;
      }
      throw new Error('schema: no endschema');
    }
    *render() {}
  });
  liquid.registerFilter('t', (key, ...args) => {
    let s = lookup(own, key) ?? lookup(en, key);
    if (typeof s !== 'string') throw new Error(`translation missing: ${key}`);
    for (const [k, v] of args) s = s.replaceAll(`{{ ${k} }}`, String(v));
    return s;
  });
  liquid.registerFilter('asset_url', (file) => `/assets/${file}?v=1`);
  return liquid;
}

// schema reads a block's {% schema %}: its settings' defaults and the assets Shopify loads for it.
function schema(block) {
  const src = readFileSync(join(ext, 'blocks', `${block}.liquid`), 'utf8');
  const s = JSON.parse(/{%\s*schema\s*%}([\s\S]*?){%\s*endschema\s*%}/.exec(src)[1]);
  const settings = {};
  for (const f of s.settings || []) settings[f.id] = f.default ?? '';
  return { settings, javascript: s.javascript, stylesheet: s.stylesheet };
}

// startHarness serves the storefront on a free port until close().
export async function startHarness({ appURL, secret, shop, product }) {
  const forward = async (req, res, url, customer) => {
    const path = url.pathname.replace(/^\/apps\/boomerang/, '/proxy');
    const params = Object.fromEntries(url.searchParams);
    Object.assign(params, { shop, path_prefix: '/apps/boomerang', timestamp: String(Math.floor(Date.now() / 1000)),
      logged_in_customer_id: customer || '' });
    const q = new URLSearchParams(params);
    q.set('signature', signProxy(params, secret));
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const r = await fetch(`${appURL}${path}?${q}`, {
      method: req.method,
      headers: { 'Content-Type': req.headers['content-type'] || 'application/json', Accept: 'application/json',
        'X-Forwarded-For': '203.0.113.7' },
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
    });
    res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') || 'application/json',
      'Cache-Control': r.headers.get('cache-control') || '' });
    res.end(Buffer.from(await r.arrayBuffer()));
  };

  const page = async (url, customer) => {
    const locale = url.searchParams.get('locale') || 'en';
    const q = new URLSearchParams({ product_id: String(product.id), shop, path_prefix: '/apps/boomerang',
      timestamp: String(Math.floor(Date.now() / 1000)), logged_in_customer_id: '' });
    q.set('signature', signProxy(Object.fromEntries(q), secret));
    const summary = (await (await fetch(`${appURL}/proxy/reviews?${q}`)).json()).summary;
    const metafields = summary.count
      ? { reviews: { rating: { value: { rating: summary.average, scale_min: 1, scale_max: 5 } }, rating_count: { value: summary.count } } }
      : { reviews: {} };
    const ctx = {
      product: { ...product, metafields },
      customer: customer ? { id: Number(customer), first_name: 'Sofia' } : null,
      shop: { name: 'Demo shop' },
      routes: { root_url: '/', account_login_url: '/account/login', account_register_url: '/account/register' },
      request: { locale: { iso_code: locale } },
      cart: { currency: { iso_code: 'USD' } },
    };
    const liquid = engine(locale);
    const blocks = [['star-rating', 'stars1'], ['product-reviews', 'reviews1'], ['loyalty-launcher', 'launcher1']];
    const html = {};
    const assets = new Set();
    for (const [name, id] of blocks) {
      const s = schema(name);
      if (s.stylesheet) assets.add(s.stylesheet);
      if (s.javascript) assets.add(s.javascript);
      html[name] = await liquid.renderFile(name, { ...ctx, block: { id, settings: s.settings, shopify_attributes: '' } });
    }
    const css = [...assets].filter((a) => a.endsWith('.css')).map((a) => `<link rel="stylesheet" href="/assets/${a}">`).join('');
    const js = [...assets].filter((a) => a.endsWith('.js')).map((a) => `<script src="/assets/${a}" defer></script>`).join('');
    return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${product.title}</title>${css}
<style>body{font-family:system-ui,sans-serif;margin:0;color:#1f1f1f;background:#fff}main{max-width:60rem;margin:0 auto;padding:1rem}</style>
</head><body><main><h1>${product.title}</h1>${html['star-rating']}<p>Freshly roasted, every month.</p>${html['product-reviews']}</main>
${html['loyalty-launcher']}${js}</body></html>`;
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://harness');
      const cookie = /(?:^|;\s*)customer=(\d+)/.exec(req.headers.cookie || '');
      let customer = cookie ? cookie[1] : '';
      if (url.pathname.startsWith('/apps/boomerang/')) return await forward(req, res, url, customer);
      if (url.pathname.startsWith('/assets/')) {
        const file = join(ext, 'assets', url.pathname.slice('/assets/'.length));
        if (!file.startsWith(join(ext, 'assets')) || !existsSync(file)) return res.writeHead(404).end();
        res.writeHead(200, { 'Content-Type': types[extname(file)] || 'application/octet-stream' });
        return res.end(readFileSync(file));
      }
      if (url.pathname === `/products/${product.handle}`) {
        const headers = { 'Content-Type': 'text/html; charset=utf-8' };
        if (url.searchParams.has('customer')) {
          customer = url.searchParams.get('customer');
          headers['Set-Cookie'] = `customer=${customer}; Path=/`;
        }
        res.writeHead(200, headers);
        return res.end(await page(url, customer));
      }
      res.writeHead(404).end();
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err.stack || err));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}
