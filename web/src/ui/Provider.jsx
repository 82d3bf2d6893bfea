// AppShell is the only place that knows about Polaris' AppProvider and Frame. Outside Shopify admin it also
// draws the in-page navigation, which narrow screens open from the top bar's menu button; inside, App
// Bridge's <ui-nav-menu> puts the same links in the admin sidebar.
import { AppProvider, Frame, Navigation, TopBar } from '@shopify/polaris';
import en from '@shopify/polaris/locales/en.json';
import '@shopify/polaris/build/esm/styles.css';
import { forwardRef, useState } from 'react';
import { isInternal, navigate } from '../router.jsx';
import { ToastHost } from './toast.jsx';
import './ui.css';
import { t } from '../i18n.js';

// Polaris renders every url-bearing Link/Button/Navigation item through this, so internal links stay in the SPA.
const RouterLink = forwardRef(function RouterLink({ url, external, children, ...rest }, ref) {
  const onClick = (e) => {
    if (rest.onClick) rest.onClick(e);
    if (e.defaultPrevented || external || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    if (isInternal(url)) {
      e.preventDefault();
      navigate(url);
    }
  };
  return (
    <a href={url} ref={ref} {...rest} onClick={onClick} {...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>
      {children}
    </a>
  );
});

export function AppShell({ links, path, embedded, translations, children }) {
  const [mobileNav, setMobileNav] = useState(false);
  const nav = embedded ? undefined : (
    <Navigation location={path} ariaLabelledBy="boomerang-nav-label">
      <span id="boomerang-nav-label" className="bm-visually-hidden">
        Boomerang
      </span>
      <Navigation.Section
        title="Boomerang"
        items={links.map((l) => ({
          url: l.url,
          label: t(l.label),
          selected: l.url === '/' ? path === '/' : path === l.url || path.startsWith(l.url + '/'),
          onClick: () => setMobileNav(false),
        }))}
      />
    </Navigation>
  );
  return (
    <AppProvider i18n={translations ? [translations, en] : en} linkComponent={RouterLink}>
      <Frame
        navigation={nav}
        topBar={embedded ? undefined : <TopBar showNavigationToggle onNavigationToggle={() => setMobileNav((v) => !v)} />}
        showMobileNavigation={mobileNav}
        onNavigationDismiss={() => setMobileNav(false)}
      >
        <ToastHost>{children}</ToastHost>
      </Frame>
    </AppProvider>
  );
}

// NavMenu is App Bridge's admin sidebar menu; it renders nothing visible in the iframe.
export function NavMenu({ links }) {
  return (
    <ui-nav-menu>
      {links.map((l) => (
        <a key={l.url} href={l.url} {...(l.url === '/' ? { rel: 'home' } : {})}>
          {t(l.label)}
        </a>
      ))}
    </ui-nav-menu>
  );
}
