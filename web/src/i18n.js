// The admin's own words in the merchant's language. Keys are the English text itself (as with
// gettext), so English needs no catalogue beyond its plural forms and a missing translation
// still reads as English. Plural keys carry {{count}}; each language lists the forms
// Intl.PluralRules names for it (ru: one, few, many, other). scripts/i18n-check.mjs checks
// every catalogue against the keys the source uses.
import i18next from 'i18next';
import en from './locales/en.json';
import { locale } from './locale.js';

// The languages the admin speaks besides English, each a chunk loaded before the first frame.
const catalogs = {
  de: () => import('./locales/de.json'),
  es: () => import('./locales/es.json'),
  fr: () => import('./locales/fr.json'),
  it: () => import('./locales/it.json'),
  nl: () => import('./locales/nl.json'),
  pt: () => import('./locales/pt.json'),
  ru: () => import('./locales/ru.json'),
  tr: () => import('./locales/tr.json'),
};

export const language = catalogs[locale.split('-')[0]] ? locale.split('-')[0] : 'en';

// loadLanguage readies t() in the merchant's language; the app renders after it resolves.
export async function loadLanguage() {
  let translation = en;
  if (language !== 'en') {
    try {
      translation = (await catalogs[language]()).default;
    } catch {
      // a chunk that failed to load leaves the admin in English rather than blank
    }
  }
  await i18next.init({
    lng: language,
    fallbackLng: false,
    resources: { [language]: { translation } },
    keySeparator: false,
    nsSeparator: false,
    returnEmptyString: false,
    interpolation: { escapeValue: false }, // React escapes
  });
}

// t translates one message: t('Save'), t('{{count}} orders', { count: 3 }).
export function t(key, options) {
  return i18next.t(key, options);
}

// msg marks text for translation where it is defined (a constant table) and translated where it
// is shown: t(item.label). It returns the key as it is.
export const msg = (key) => key;

// tOptions translates the labels of a constant list of select options.
export const tOptions = (options) => options.map((o) => ({ ...o, label: t(o.label) }));
