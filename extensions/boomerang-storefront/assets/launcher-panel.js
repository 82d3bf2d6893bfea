// Boomerang loyalty panel (loaded by launcher.js on first open): the program and, signed in, the
// customer's statement through the app proxy, rendered into the launcher's dialog.
(() => {
  'use strict';
  let cfg, t, body, num, date, data = null;
  const money = (v) =>
    cfg.currency ? new Intl.NumberFormat(cfg.locale, { style: 'currency', currency: cfg.currency }).format(v) : num.format(v);
  const fill = (s, v) => s.replace(/\{(\w+)\}/g, (_, k) => (v[k] ?? ''));
  const el = (tag, props, ...kids) => {
    const n = Object.assign(document.createElement(tag), props || {});
    for (const k of kids) if (k != null && k !== false) n.append(k);
    return n;
  };
  const section = (title, ...kids) => el('section', { className: 'bmr-section' }, el('h3', null, title), ...kids);

  const api = async (path, init) => {
    const res = await fetch(cfg.proxy + path, {
      ...init,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  };

  const copyButton = (text) => {
    const b = el('button', { type: 'button', className: 'bmr-link-button', textContent: t.copy });
    b.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        const i = el('input', { value: text });
        document.body.append(i);
        i.select();
        document.execCommand('copy');
        i.remove();
      }
      b.textContent = t.copied;
    });
    return b;
  };

  const codeBox = (code) =>
    el('div', { className: 'bmr-code' },
      el('span', { className: 'bmr-code__label' }, t.your_code),
      el('code', { className: 'bmr-code__value' }, code),
      copyButton(code),
      el('a', { href: `/discount/${encodeURIComponent(code)}?redirect=%2Fcheckout`, className: 'bmr-link' }, t.apply_at_checkout));

  function waysToEarn(d) {
    const items = [fill(t.earn_order, { points: num.format(Number(d.earn_rate)), amount: money(1) })];
    const bonus = d.bonus || {};
    if (bonus.signup && !d.logged_in) items.push(fill(t.earn_signup, { points: num.format(bonus.signup) }));
    if (bonus.birthday) items.push(fill(t.earn_birthday, { points: num.format(bonus.birthday) }));
    if (bonus.first_review) items.push(fill(t.earn_review, { points: num.format(bonus.first_review) }));
    if (bonus.referral && d.referrals) items.push(fill(t.earn_referral, { points: num.format(bonus.referral) }));
    return section(t.ways_to_earn, el('ul', { className: 'bmr-list' }, ...items.map((s) => el('li', null, s))));
  }

  function rewards(d) {
    const list = el('ul', { className: 'bmr-list bmr-rewards' });
    for (const r of d.rewards) {
      const li = el('li', { className: 'bmr-reward' },
        el('span', { className: 'bmr-reward__name' }, r.label || r.name),
        el('span', { className: 'bmr-reward__cost' }, fill(t.points_cost, { points: num.format(r.points_cost) })));
      if (d.logged_in) {
        const b = el('button', { type: 'button', className: 'bmr-button', textContent: t.redeem, disabled: !r.affordable });
        if (!r.affordable) b.title = t.not_enough;
        b.addEventListener('click', () => redeem(r, b, li));
        li.append(b);
      }
      list.append(li);
    }
    return section(t.rewards, list);
  }

  async function redeem(r, b, li) {
    b.disabled = true;
    b.textContent = t.redeeming;
    const key = b.dataset.key || (b.dataset.key = crypto.randomUUID()); // a retry redeems once
    const { status, body: out } = await api('/loyalty/redeem', {
      method: 'POST',
      body: JSON.stringify({ reward: r.name, request_key: key }),
    }).catch(() => ({ status: 0, body: {} }));
    const note = el('p', { className: 'bmr-note', role: 'status' });
    if (status === 200 && out.code) {
      li.after(el('li', null, codeBox(out.code)));
      b.textContent = t.redeem;
      data = null; // the balance moved: reload on next open
      updateBalance(out.balance);
      return;
    }
    note.textContent = status === 202 ? t.code_pending : t.redeem_failed;
    li.after(el('li', null, note));
    b.textContent = t.redeem;
    b.disabled = status === 202;
  }

  function updateBalance(v) {
    const n = body.querySelector('.bmr-balance__value');
    if (n && v != null) n.textContent = num.format(v);
  }

  function tiers(d) {
    if (!d.tiers?.length) return null;
    const fmt = (v) => (d.tier_measure === 'spend' ? money(Number(v)) : num.format(Number(v)));
    return section(t.tiers, el('ul', { className: 'bmr-list' },
      ...d.tiers.map((x) => el('li', { className: x.name === d.tier ? 'bmr-current' : '' },
        el('strong', null, x.name), ' ', fill(t.tier_from, { threshold: fmt(x.threshold) })))));
  }

  function status(d) {
    const fmt = (v) => (d.tier_measure === 'spend' ? money(Number(v)) : num.format(Number(v)));
    const box = el('div', { className: 'bmr-status' },
      el('p', { className: 'bmr-balance' }, el('span', null, t.balance), el('strong', { className: 'bmr-balance__value' }, num.format(d.balance))));
    if (d.pending) box.append(el('p', { className: 'bmr-row bmr-muted' }, el('span', null, t.pending), el('span', null, num.format(d.pending))));
    if (d.tier) {
      box.append(el('p', { className: 'bmr-row' }, el('span', null, t.tier), el('strong', null, d.tier)));
      if (d.next_tier) {
        const pct = Math.round(Math.min(1, Math.max(0, d.progress)) * 100);
        box.append(
          el('div', { className: 'bmr-progress', role: 'progressbar', ariaValueNow: String(pct), ariaValueMin: '0', ariaValueMax: '100',
            ariaLabel: d.next_tier }, el('span', { style: `width:${pct}%` })),
          el('p', { className: 'bmr-muted' },
            fill(t.next_tier, { remaining: fmt(Math.max(0, Number(d.next_tier_at) - Number(d.measure))), tier: d.next_tier })));
      } else box.append(el('p', { className: 'bmr-muted' }, t.top_tier));
    }
    for (const x of d.expiring || []) {
      box.append(el('p', { className: 'bmr-warning' }, fill(t.expiring, { points: num.format(x.points), date: date.format(new Date(x.expires_at)) })));
    }
    return box;
  }

  function referral(d) {
    if (!d.referral) return null;
    const r = d.referral;
    const kids = [el('p', null, fill(t.referral_text, { friend: num.format(r.friend_points), you: num.format(r.referrer_points) })),
      el('div', { className: 'bmr-code' }, el('input', { className: 'bmr-code__input', value: r.link, readOnly: true, ariaLabel: t.referral }),
        copyButton(r.link))];
    if (navigator.share) {
      const s = el('button', { type: 'button', className: 'bmr-link-button', textContent: t.share });
      s.addEventListener('click', () => navigator.share({ url: r.link }).catch(() => {}));
      kids[1].append(s);
    }
    return section(t.referral, ...kids);
  }

  function birthday() {
    const id = 'bmr-birthday-input';
    const input = el('input', { type: 'date', id, name: 'birthday', required: true, max: new Date().toISOString().slice(0, 10) });
    const note = el('p', { className: 'bmr-note', role: 'status' });
    const form = el('form', { className: 'bmr-birthday' }, el('label', { htmlFor: id }, t.birthday_help), input,
      el('button', { type: 'submit', className: 'bmr-button', textContent: t.birthday_save }), note);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const { status: st } = await api('/loyalty/birthday', { method: 'POST', body: JSON.stringify({ birthday: input.value }) })
        .catch(() => ({ status: 0 }));
      note.textContent = st === 200 ? t.birthday_saved : t.birthday_error;
    });
    return section(t.birthday, form);
  }

  function activity(d) {
    if (!d.activity?.length) return null;
    const label = { earn: t.activity_earn, bonus: t.activity_earn, redeem: t.activity_spend, expire: t.activity_expire };
    return section(t.activity, el('ul', { className: 'bmr-list bmr-activity' },
      ...d.activity.map((x) => el('li', null, el('span', null, label[x.kind] || t.activity_other),
        el('span', null, (x.points > 0 ? '+' : '') + num.format(x.points)),
        el('time', { dateTime: x.occurred_at }, date.format(new Date(x.occurred_at)))))));
  }

  function render(d) {
    if (!d.logged_in) {
      body.replaceChildren(
        el('p', null, cfg.intro || t.guest_intro),
        el('div', { className: 'bmr-actions' },
          el('a', { className: 'bmr-button', href: cfg.register }, t.create_account),
          el('a', { className: 'bmr-link', href: cfg.login }, t.sign_in)),
        waysToEarn(d), rewards(d), tiers(d));
      return;
    }
    body.replaceChildren(status(d), rewards(d), referral(d), waysToEarn(d), birthday(), activity(d), tiers(d));
  }

  async function load() {
    body.replaceChildren(el('p', { role: 'status' }, t.loading));
    try {
      const { status: st, body: d } = await api('/loyalty');
      if (st !== 200) throw new Error(String(st));
      data = d;
      render(d);
    } catch (err) {
      console.warn('boomerang rewards:', err); // eslint-disable-line no-console
      const retry = el('button', { type: 'button', className: 'bmr-button', textContent: t.retry });
      retry.addEventListener('click', load);
      body.replaceChildren(el('p', { role: 'alert' }, t.error), retry);
    }
  }

  window.BoomerangLauncherPanel = {
    show(c, b) {
      cfg = c;
      t = c.i18n;
      body = b;
      num = new Intl.NumberFormat(c.locale);
      date = new Intl.DateTimeFormat(c.locale, { dateStyle: 'medium' });
      load();
    },
    refresh() {
      if (!data) load(); // a redemption moved the balance
    },
  };
})();
