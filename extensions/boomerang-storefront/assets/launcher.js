// Boomerang loyalty launcher (blocks/loyalty-launcher.liquid): a button and a dialog. This is all
// a page load costs; the panel's code (launcher-panel.js) and data come on first open.
// Keyboard: the dialog traps focus, Escape closes it and focus returns to the button.
(() => {
  'use strict';
  const root = document.getElementById('bmr-launcher');
  if (!root) return;
  const cfg = JSON.parse(root.querySelector('[data-config]').textContent);
  const t = cfg.i18n;
  const button = root.querySelector('.bmr-launcher__button');
  const panel = root.querySelector('.bmr-panel');
  const body = root.querySelector('[data-body]');
  let panelCode = null; // launcher-panel.js, fetched on first open

  // Text on the accent colour must stay readable whatever the merchant picked (WCAG AA).
  const lum = (hex) => {
    const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
    if (!m) return null;
    const c = [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const style = getComputedStyle(root);
  const a = lum(style.getPropertyValue('--bmr-accent')), b = lum(style.getPropertyValue('--bmr-on-accent'));
  if (a != null && b != null && (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) < 4.5) {
    root.style.setProperty('--bmr-on-accent', a > 0.18 ? '#000000' : '#ffffff');
  }

  const focusable = () =>
    [...panel.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])')]
      .filter((n) => n.offsetParent !== null);

  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    panel.querySelector('[data-close]').focus();
    if (!panelCode) {
      panelCode = new Promise((resolve, reject) => {
        const s = Object.assign(document.createElement('script'), { src: cfg.panel, async: true });
        s.onload = () => resolve(window.BoomerangLauncherPanel);
        s.onerror = reject;
        document.head.append(s);
      });
      panelCode.then((p) => p.show(cfg, body)).catch(() => {
        panelCode = null;
        body.textContent = t.error;
      });
    } else panelCode.then((p) => p.refresh());
  }

  function close() {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  }

  button.addEventListener('click', () => (panel.hidden ? open() : close()));
  panel.querySelector('[data-close]').addEventListener('click', close);
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
      return;
    }
    if (e.key !== 'Tab') return;
    const f = focusable();
    if (!f.length) return;
    const first = f[0], last = f[f.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });
})();
