import { useEffect, useState } from 'react';
import { api, insideShopify, preload } from './api.js';
import { setCurrency } from './format.js';
import { Activity, activityData } from './pages/Activity.jsx';
import { Campaigns, campaignsData } from './pages/Campaigns.jsx';
import { Customer, customerData } from './pages/Customer.jsx';
import { Customers, customersData } from './pages/Customers.jsx';
import { Home, homeData } from './pages/Home.jsx';
import { Loyalty, loyaltyData } from './pages/Loyalty.jsx';
import { MessageEditor } from './pages/MessageEditor.jsx';
import { Messages, messagesData } from './pages/Messages.jsx';
import { Reviews, reviewsData } from './pages/Reviews.jsx';
import { Setup, setupData } from './pages/Setup.jsx';
import { match, usePath } from './router.jsx';
import { AppShell, Empty, NavMenu, Page, Section } from './ui/index.js';
import { msg, t } from './i18n.js';

export const links = [
  { url: '/', label: msg('Home') },
  { url: '/customers', label: msg('Customers') },
  { url: '/loyalty', label: msg('Loyalty') },
  { url: '/reviews', label: msg('Reviews') },
  { url: '/messages', label: msg('Messages') },
  { url: '/campaigns', label: msg('Campaigns') },
  { url: '/activity', label: msg('Activity') },
  { url: '/setup', label: msg('Setup guide') },
];

// The server answers index.html for each of these paths (see docs/bench/web.md and the report in web/).
// data lists the GETs a page's first frame makes, so main.jsx can start them before React renders.
export const routes = [
  { path: '/', component: Home, data: homeData },
  { path: '/customers', component: Customers, data: customersData },
  { path: '/customers/:id', component: Customer, data: customerData },
  { path: '/loyalty', component: Loyalty, data: loyaltyData },
  { path: '/reviews', component: Reviews, data: reviewsData },
  { path: '/messages', component: Messages, data: messagesData },
  { path: '/messages/:id', component: MessageEditor },
  { path: '/campaigns', component: Campaigns, data: campaignsData },
  { path: '/activity', component: Activity, data: activityData },
  { path: '/setup', component: Setup, data: setupData },
];

// preloadFirstPage starts the shop and the current page's data requests at boot.
export function preloadFirstPage(path) {
  const found = match(routes, path);
  const wanted = [['/api/shop'], ...(found && found.route.data ? found.route.data(found.params) : [])];
  for (const [p, q] of wanted) preload(p, q);
}

function NotFound() {
  return (
    <Page title={t('Page not found')} testId="page-not-found">
      <Section>
        <Empty heading={t('There is no page here')} action={{ label: t('Go to the scorecard'), url: '/' }}>
          {t('The link may be old. Pick a page from the navigation.')}
        </Empty>
      </Section>
    </Page>
  );
}

export function App({ translations }) {
  const path = usePath();
  const embedded = insideShopify();
  // Held so the tree re-renders with the shop's currency once it is known.
  const [, setShop] = useState(null);
  useEffect(() => {
    api
      .get('/api/shop')
      .then((shop) => {
        setCurrency(shop && shop.currency);
        if (shop && shop.name) document.title = `Boomerang · ${shop.name}`;
        setShop(shop);
      })
      .catch(() => {
        // Pages report their own errors; the shop only adds the currency and the title.
      });
  }, []);
  const found = match(routes, path);
  const Component = found ? found.route.component : NotFound;
  return (
    <AppShell links={links} path={path} embedded={embedded} translations={translations}>
      {embedded && <NavMenu links={links} />}
      <Component key={found ? found.route.path + JSON.stringify(found.params) : 'nf'} params={found ? found.params : {}} />
    </AppShell>
  );
}
