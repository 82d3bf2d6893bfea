import { useEffect, useState } from 'react';
import { api, insideShopify } from './api.js';
import { setCurrency } from './format.js';
import { Activity } from './pages/Activity.jsx';
import { Campaigns } from './pages/Campaigns.jsx';
import { Customer } from './pages/Customer.jsx';
import { Customers } from './pages/Customers.jsx';
import { Home } from './pages/Home.jsx';
import { Loyalty } from './pages/Loyalty.jsx';
import { MessageEditor } from './pages/MessageEditor.jsx';
import { Messages } from './pages/Messages.jsx';
import { Reviews } from './pages/Reviews.jsx';
import { match, usePath } from './router.jsx';
import { AppShell, Empty, NavMenu, Page, Section } from './ui/index.js';

export const links = [
  { url: '/', label: 'Home' },
  { url: '/customers', label: 'Customers' },
  { url: '/loyalty', label: 'Loyalty' },
  { url: '/reviews', label: 'Reviews' },
  { url: '/messages', label: 'Messages' },
  { url: '/campaigns', label: 'Campaigns' },
  { url: '/activity', label: 'Activity' },
];

// The server answers index.html for each of these paths (see docs/bench/web.md and the report in web/).
export const routes = [
  { path: '/', component: Home },
  { path: '/customers', component: Customers },
  { path: '/customers/:id', component: Customer },
  { path: '/loyalty', component: Loyalty },
  { path: '/reviews', component: Reviews },
  { path: '/messages', component: Messages },
  { path: '/messages/:id', component: MessageEditor },
  { path: '/campaigns', component: Campaigns },
  { path: '/activity', component: Activity },
];

function NotFound() {
  return (
    <Page title="Page not found" testId="page-not-found">
      <Section>
        <Empty heading="There is no page here" action={{ label: 'Go to the scorecard', url: '/' }}>
          The link may be old. Pick a page from the navigation.
        </Empty>
      </Section>
    </Page>
  );
}

export function App() {
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
    <AppShell links={links} path={path} embedded={embedded}>
      {embedded && <NavMenu links={links} />}
      <Component key={found ? found.route.path + JSON.stringify(found.params) : 'nf'} params={found ? found.params : {}} />
    </AppShell>
  );
}
