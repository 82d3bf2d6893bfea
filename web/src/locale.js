// The merchant's locale. Shopify opens an embedded app with ?locale=fr (or fr-CA, pt-BR); the admin
// keeps it for the session, as later in-app URLs do not carry it. Numbers, money and dates are
// formatted in it, and Polaris' own words (its buttons, labels, pagination) come in its language
// where Polaris has them.

const keep = 'boomerang-locale';

function readLocale() {
  const fromQuery = new URLSearchParams(window.location.search).get('locale');
  try {
    if (fromQuery) window.sessionStorage.setItem(keep, fromQuery);
    else {
      const kept = window.sessionStorage.getItem(keep);
      if (kept) return kept;
    }
  } catch {
    // storage refused (third-party iframe): the query and the browser still decide
  }
  return fromQuery || window.navigator.language || 'en';
}

function canonical(tag) {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return 'en';
  }
}

export const locale = canonical(readLocale());

// Polaris' translations, loaded on demand (each is its own chunk).
const polaris = {
  de: () => import('@shopify/polaris/locales/de.json'),
  es: () => import('@shopify/polaris/locales/es.json'),
  fr: () => import('@shopify/polaris/locales/fr.json'),
  it: () => import('@shopify/polaris/locales/it.json'),
  nl: () => import('@shopify/polaris/locales/nl.json'),
  'pt-BR': () => import('@shopify/polaris/locales/pt-BR.json'),
  pt: () => import('@shopify/polaris/locales/pt-PT.json'),
  tr: () => import('@shopify/polaris/locales/tr.json'),
};

// polarisTranslations resolves to the merchant's Polaris strings, or null for English (and for a
// language Polaris does not have).
export async function polarisTranslations() {
  const load = polaris[locale] || polaris[locale.split('-')[0]];
  if (!load) return null;
  try {
    return (await load()).default;
  } catch {
    return null;
  }
}
