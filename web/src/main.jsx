import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, preloadFirstPage } from './App.jsx';
import { loadLanguage } from './i18n.js';
import { locale, polarisTranslations } from './locale.js';
import { listenShopifyNavigation } from './router.jsx';

listenShopifyNavigation();
preloadFirstPage(window.location.pathname);
document.documentElement.lang = locale;
// The first frame waits for the admin's and Polaris' words in the merchant's language (two small
// chunks, fetched while the first page's data is already on its way), so the page never switches
// language.
Promise.all([polarisTranslations(), loadLanguage()]).then(([translations]) =>
  createRoot(document.getElementById('root')).render(
    <StrictMode>
      <App translations={translations} />
    </StrictMode>,
  ),
);
