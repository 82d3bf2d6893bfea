import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, preloadFirstPage } from './App.jsx';
import { locale, polarisTranslations } from './locale.js';
import { listenShopifyNavigation } from './router.jsx';

listenShopifyNavigation();
preloadFirstPage(window.location.pathname);
document.documentElement.lang = locale;
// The first frame waits for Polaris' strings in the merchant's language (a small chunk, fetched
// while the first page's data is already on its way), so the page never switches language.
polarisTranslations().then((translations) =>
  createRoot(document.getElementById('root')).render(
    <StrictMode>
      <App translations={translations} />
    </StrictMode>,
  ),
);
