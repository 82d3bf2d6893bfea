import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, preloadFirstPage } from './App.jsx';
import { listenShopifyNavigation } from './router.jsx';

listenShopifyNavigation();
preloadFirstPage(window.location.pathname);
createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
