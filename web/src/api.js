import { t } from './i18n.js';
// Every data call of the admin goes through here so the session token is handled in one place.
// Inside Shopify admin App Bridge (window.shopify) mints a fresh one-minute token per call; outside it, in
// development, the server's /dev/session hands out a real token that we keep until shortly before it
// expires (so no call is turned away with a 401), or until a call answers 401 anyway.

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = err.code || (status === 0 ? 'network' : 'http_' + status);
    this.field = err.field || null;
    this.line = err.line ?? null;
    this.body = body;
  }
}

export function bootConfig() {
  return (typeof window !== 'undefined' && window.__BOOMERANG__) || {};
}

export function shopDomain() {
  const fromQuery = new URLSearchParams(window.location.search).get('shop');
  return fromQuery || bootConfig().shop || '';
}

export function insideShopify() {
  return typeof window !== 'undefined' && !!window.shopify && typeof window.shopify.idToken === 'function';
}

let devToken = bootConfig().devToken || null; // the shell brings the first one in development
let devTokenPending = null;

async function fetchDevToken() {
  const shop = shopDomain();
  const res = await fetch(`/dev/session?shop=${encodeURIComponent(shop)}`, {
    headers: { Accept: 'application/json' },
  });
  const body = await readBody(res);
  if (!res.ok || !body || !body.token) throw new ApiError(res.status, body);
  return body.token;
}

// expiresSoon reads a session token's exp claim: within 10 s of it the token is renewed first.
function expiresSoon(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')));
    return typeof exp === 'number' && exp * 1000 - Date.now() < 10000;
  } catch {
    return false;
  }
}

async function sessionToken(fresh) {
  if (insideShopify()) return window.shopify.idToken();
  if (fresh || (devToken && expiresSoon(devToken))) devToken = null;
  if (devToken) return devToken;
  // Concurrent first calls share one /dev/session request.
  if (!devTokenPending) {
    devTokenPending = fetchDevToken().then(
      (t) => {
        devToken = t;
        devTokenPending = null;
        return t;
      },
      (e) => {
        devTokenPending = null;
        throw e;
      },
    );
  }
  return devTokenPending;
}

async function readBody(res) {
  const type = res.headers.get('content-type') || '';
  if (res.status === 204) return null;
  if (type.includes('application/json')) {
    try {
      return await res.json();
    } catch {
      return null;
    }
  }
  const text = await res.text();
  return text ? { error: { message: text.slice(0, 300) } } : null;
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

// request performs one API call; a 401 is retried once with a freshly minted token.
export async function request(method, path, { query, body, signal } = {}) {
  const url = withQuery(path, query);
  const isForm = typeof FormData !== 'undefined' && body instanceof FormData;
  for (let attempt = 0; ; attempt++) {
    const token = await sessionToken(attempt > 0);
    const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined && !isForm) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(0, { error: { code: 'network', message: t('Network error: the server could not be reached.') } });
    }
    if (res.status === 401 && attempt === 0) continue;
    const data = await readBody(res);
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }
}

// Preloads are the first page's GETs, started before React draws its first frame (main.jsx) instead
// of from the effects that run after it. A page's own api.get for the same URL takes the answer over,
// once and only while it is fresh, so a later visit never sees boot-time data.
const preloads = new Map();
const preloadFreshMs = 10000;

export function preload(path, query) {
  const url = withQuery(path, query);
  if (preloads.has(url)) return;
  const promise = request('GET', path, { query });
  promise.catch(() => {}); // a failure is reported to the page that takes it over, not here
  preloads.set(url, { promise, at: Date.now() });
}

function takePreload(path, query) {
  const url = withQuery(path, query);
  const p = preloads.get(url);
  if (!p) return null;
  preloads.delete(url);
  return Date.now() - p.at < preloadFreshMs ? p.promise : null;
}

export const api = {
  get: (path, query, opts) => takePreload(path, query) || request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
  upload: (path, formData, opts) => request('POST', path, { ...opts, body: formData }),
};

// downloadJson fetches a JSON export with the session token (a plain link could not carry it) and saves it.
export async function downloadJson(path, filename) {
  const data = await api.get(path);
  saveBlob(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), filename);
}

// saveBlob hands a file to the browser's downloads.
function saveBlob(blob, filename) {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
}

// downloadFile saves a file the API streams (a CSV export) under filename, with the session token
// a plain link could not carry.
export async function downloadFile(path, query, filename) {
  const token = await sessionToken(false);
  const res = await fetch(withQuery(path, query), { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiError(res.status, await readBody(res));
  saveBlob(await res.blob(), filename);
}
