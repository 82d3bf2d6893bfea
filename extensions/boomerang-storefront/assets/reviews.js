// Boomerang product reviews (blocks/product-reviews.liquid): the list, the histogram and the
// form, through the shop's app proxy. No framework; every string comes from the block's locale.
(() => {
  'use strict';
  const fill = (s, v) => s.replace(/\{(\w+)\}/g, (_, k) => (v[k] ?? ''));
  const el = (tag, props, ...kids) => {
    const n = Object.assign(document.createElement(tag), props || {});
    for (const k of kids) if (k != null) n.append(k);
    return n;
  };

  function init(root) {
    const cfg = JSON.parse(root.querySelector('[data-config]').textContent);
    const t = cfg.i18n;
    const num = new Intl.NumberFormat(cfg.locale);
    const date = new Intl.DateTimeFormat(cfg.locale, { dateStyle: 'medium' });
    const list = root.querySelector('[data-list]');
    const bars = root.querySelector('[data-bars]');
    const status = root.querySelector('[data-status]');
    const more = root.querySelector('[data-more]');
    const sort = root.querySelector('[data-sort]');
    let cursor = '';

    const stars = (rating, size) =>
      el('span', {
        className: `bmr-stars bmr-stars--${size}`,
        role: 'img',
        ariaLabel: fill(t.stars, { rating: num.format(rating) }),
        style: `--bmr-fill:${(rating / 5) * 100}%`,
      });

    const item = (r) => {
      const li = el('li', { className: 'bmr-review' },
        el('div', { className: 'bmr-review__head' }, stars(r.rating, 'sm'),
          el('strong', { className: 'bmr-review__title' }, r.title || '')),
        el('p', { className: 'bmr-review__meta' }, r.author, ' · ',
          el('time', { dateTime: r.created_at }, date.format(new Date(r.created_at))),
          r.verified_buyer ? el('span', { className: 'bmr-badge' }, t.verified) : null),
        el('p', { className: 'bmr-review__body' }, r.body || ''));
      if (r.photos?.length) {
        li.append(el('div', { className: 'bmr-review__photos' }, ...r.photos.map((p) =>
          el('img', { src: p.url, width: p.width, height: p.height, loading: 'lazy', alt: fill(t.photo_alt, { author: r.author }) }))));
      }
      if (r.reply) {
        li.append(el('div', { className: 'bmr-review__reply' },
          el('strong', null, fill(t.reply, { shop: cfg.shop })), el('p', null, r.reply)));
      }
      return li;
    };

    const histogram = (s) => {
      bars.replaceChildren();
      if (!s.count) return;
      for (let n = 5; n >= 1; n--) {
        const c = s.distribution[String(n)] || 0;
        bars.append(el('li', { className: 'bmr-bar' },
          el('span', { className: 'bmr-bar__label' }, fill(t.bar, { stars: n, count: num.format(c) })),
          el('span', { className: 'bmr-bar__track', ariaHidden: 'true' },
            el('span', { className: 'bmr-bar__fill', style: `width:${(c / s.count) * 100}%` }))));
      }
    };

    async function load(reset) {
      if (reset) cursor = '';
      list.setAttribute('aria-busy', 'true');
      status.textContent = t.loading;
      const q = new URLSearchParams({ product_id: cfg.product, sort: sort.value, limit: cfg.perPage });
      if (cursor) q.set('cursor', cursor);
      try {
        const res = await fetch(`${cfg.proxy}/reviews?${q}`, { headers: { Accept: 'application/json' } });
        if (!res.ok) throw new Error(String(res.status));
        const data = await res.json();
        if (reset) list.replaceChildren();
        list.append(...data.reviews.map(item));
        histogram(data.summary);
        cursor = data.next_cursor || '';
        more.hidden = !cursor;
        status.textContent = '';
      } catch {
        status.textContent = t.error;
      } finally {
        list.removeAttribute('aria-busy');
        list.style.minHeight = '0';
      }
    }

    sort.addEventListener('change', () => load(true));
    more.addEventListener('click', () => load(false));

    const form = root.querySelector('[data-form]');
    if (form) {
      const fstatus = form.querySelector('[data-form-status]');
      const button = form.querySelector('button[type=submit]');
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const d = new FormData(form);
        if (!d.get('rating')) {
          fstatus.textContent = t.rating_required;
          form.querySelector('input[name=rating]').focus();
          return;
        }
        const photos = d.getAll('photo').filter((f) => f.size > 0);
        if (photos.length > 3) {
          fstatus.textContent = t.photos_too_many;
          return;
        }
        const body = { product_id: cfg.product };
        for (const [k, v] of d) if (typeof v === 'string') body[k] = v;
        button.disabled = true;
        button.textContent = t.sending;
        try {
          const res = await fetch(`${cfg.proxy}/reviews`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify(body),
          });
          const out = await res.json().catch(() => ({}));
          if (res.status === 201) {
            form.reset();
            let note = out.review?.status === 'published' ? t.thanks : t.thanks_pending;
            if (photos.length) {
              const up = new FormData();
              up.set('token', out.photo_token);
              for (const p of photos) up.append('photo', p);
              const pr = await fetch(`${cfg.proxy}/reviews/${out.review.id}/photos`, { method: 'POST', body: up }).catch(() => null);
              if (pr?.status !== 201) note = t.photos_failed;
            }
            fstatus.textContent = note;
            if (out.review?.status === 'published') load(true);
          } else {
            fstatus.textContent = res.status === 409 ? t.duplicate : res.status === 429 ? t.too_many : t.failed;
          }
        } catch {
          fstatus.textContent = t.failed;
        } finally {
          button.disabled = false;
          button.textContent = t.submit;
        }
      });
    }
    load(true);
  }

  const start = () => document.querySelectorAll('.bmr-reviews').forEach(init);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
