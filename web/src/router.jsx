// A tiny history router: the admin has nine routes, which does not justify a routing library in the bundle.
// Inside Shopify admin, App Bridge mirrors pushState into the admin URL and announces <ui-nav-menu> clicks
// with a `shopify:navigate` event, which we turn into a client-side navigation.
import { useEffect, useState } from 'react';

const CHANGE = 'boomerang:navigate';

export function navigate(to, { replace = false } = {}) {
  const url = new URL(to, window.location.href);
  // Keep Shopify's query (shop, host, embedded...) so a reload still identifies the shop.
  const current = new URLSearchParams(window.location.search);
  for (const key of ['shop', 'host', 'embedded', 'locale']) {
    if (current.has(key) && !url.searchParams.has(key)) url.searchParams.set(key, current.get(key));
  }
  const next = url.pathname + url.search + url.hash;
  if (next === window.location.pathname + window.location.search + window.location.hash) return;
  window.history[replace ? 'replaceState' : 'pushState']({}, '', next);
  window.dispatchEvent(new Event(CHANGE));
  window.scrollTo(0, 0);
}

export function usePath() {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return path;
}

export function useQueryParam(name) {
  usePath();
  return new URLSearchParams(window.location.search).get(name);
}

// match returns the params of the first route whose pattern (e.g. "/customers/:id") fits the path.
export function match(routes, path) {
  const parts = trim(path).split('/');
  for (const route of routes) {
    const want = trim(route.path).split('/');
    if (want.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < want.length; i++) {
      if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(parts[i]);
      else if (want[i] !== parts[i]) ok = false;
    }
    if (ok) return { route, params };
  }
  return null;
}

function trim(p) {
  return p.replace(/\/+$/, '') || '/';
}

export function isInternal(href) {
  if (!href) return false;
  try {
    const url = new URL(href, window.location.href);
    return url.origin === window.location.origin && !url.pathname.startsWith('/api/');
  } catch {
    return false;
  }
}

// listenShopifyNavigation makes App Bridge's nav menu links route inside the single page.
export function listenShopifyNavigation() {
  const onNav = (event) => {
    const href = event.target && event.target.getAttribute && event.target.getAttribute('href');
    if (href) navigate(href);
  };
  document.addEventListener('shopify:navigate', onNav);
  return () => document.removeEventListener('shopify:navigate', onNav);
}
