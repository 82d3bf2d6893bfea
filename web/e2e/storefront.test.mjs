// The theme extension in a real browser: its blocks rendered by the harness (storefront/harness.mjs)
// and wired to the running app through a signed app-proxy shim. A signed-in shopper reviews,
// redeems and copies their referral link; a guest sees the stars and reviews and submits one;
// the launcher works by keyboard alone; axe finds no serious or critical violation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeViolations, baseURL, describeViolations, launch, screenshot, shop, watch } from './browser.mjs';
import { startHarness } from './storefront/harness.mjs';

const secret = process.env.BOOMERANG_E2E_SECRET || 'boomerang-dev-secret';
// A product of its own for each run, so the admin tests' demo products keep their reviews and a
// second run against the same server starts with no review.
const product = { id: 70_000 + (Date.now() % 100_000), title: 'Travel Tumbler', handle: 'travel-tumbler' };
const sofia = 9008; // demo customer: one $120 order, 600 points
let harness;
// A 1×1 PNG: the photo the signed-in shopper attaches to their review.
const pixel = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

before(async () => {
  harness = await startHarness({ appURL: baseURL, secret, shop, product });
});
after(async () => harness?.close());

async function open(customer, locale = 'en') {
  const b = await launch();
  const page = await b.context.newPage();
  const problems = watch(page);
  // Cumulative layout shift, as Chrome reports it (the blocks reserve their space).
  await page.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const q = new URLSearchParams({ locale });
  if (customer) q.set('customer', String(customer));
  await page.goto(`${harness.url}/products/${product.handle}?${q}`);
  return { b, page, problems };
}

test('a signed-in customer reviews, redeems a reward and copies their referral link', async () => {
  const { b, page, problems } = await open(sofia);
  try {
    await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.url });
    // Review: a signed-in customer's 5 stars are published at once and listed.
    const form = page.locator('.bmr-reviews__form');
    await form.locator('label[for$="-5"]').click();
    await form.getByLabel('Title').fill('Keeps coffee hot all morning');
    await form.getByLabel('Your review').fill('I take it on the train every day; still hot at noon.');
    await form.getByLabel('Add up to 3 photos (JPEG or PNG, 5 MB each)').setInputFiles({ name: 'tumbler.png', mimeType: 'image/png', buffer: pixel });
    await form.getByRole('button', { name: 'Submit review' }).click();
    await form.getByText('Thank you! Your review is published.').waitFor();
    await page.locator('.bmr-review', { hasText: 'Keeps coffee hot all morning' }).waitFor();

    // The launcher: balance, then a reward redeemed for a code with copy and apply links.
    await page.getByRole('button', { name: 'Rewards' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rewards' });
    await dialog.getByText('Your points').waitFor();
    const before = Number((await dialog.locator('.bmr-balance__value').textContent()).replace(/\D/g, ''));
    assert.ok(before >= 100, `balance ${before}`);
    const reward = dialog.locator('.bmr-reward', { hasText: '1 off' });
    await reward.getByRole('button', { name: 'Redeem' }).click();
    const code = (await dialog.locator('.bmr-code__value').first().textContent()).trim();
    assert.match(code, /^[A-Z0-9-]{6,}$/, `code ${code}`);
    const apply = dialog.getByRole('link', { name: 'Apply at checkout' });
    assert.equal(await apply.getAttribute('href'), `/discount/${code}?redirect=%2Fcheckout`);
    // The first-review bonus is paid by the event dispatch, seconds after the review: it may land
    // between the two reads, and then the balance is up by it too.
    const bonusLine = (await dialog.getByText(/^Your first review: [\d,]+ points$/).textContent()) || '';
    const bonus = Number(bonusLine.replace(/\D/g, ''));
    const after = Number((await dialog.locator('.bmr-balance__value').textContent()).replace(/\D/g, ''));
    assert.ok(after === before - 100 || after === before - 100 + bonus, `balance ${before} → ${after} after a 100-point reward (review bonus ${bonus})`);

    // The referral link, copied.
    const link = await dialog.getByRole('textbox', { name: 'Refer a friend' }).inputValue();
    assert.match(link, /^https:\/\/.+ref=/);
    await dialog.locator('.bmr-section', { hasText: 'Refer a friend' }).getByRole('button', { name: 'Copy' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await dialog.getByText('Recent activity').waitFor();
    await screenshot(page, 'storefront-signed-in');
    assert.deepEqual(problems, []);
  } finally {
    await b.close();
  }
});

test('a guest sees the stars and reviews and submits a review', async () => {
  const { b, page, problems } = await open(0);
  try {
    await page.locator('.bmr-star-rating [role="img"]').waitFor();
    assert.match(await page.locator('.bmr-star-rating [role="img"]').getAttribute('aria-label'), /out of 5 stars/);
    await page.locator('.bmr-review', { hasText: 'Keeps coffee hot all morning' }).waitFor();
    // Sofia's photo shows once the app has put it in Shopify Files and Shopify has processed it.
    for (let i = 0; i < 30 && !(await page.locator('.bmr-review__photos img').count()); i++) {
      await page.waitForTimeout(1000);
      await page.reload();
      await page.locator('.bmr-review', { hasText: 'Keeps coffee hot all morning' }).waitFor();
    }
    assert.equal(await page.locator('.bmr-review__photos img').getAttribute('alt'), 'Photo from Sofia G.');
    await page.waitForLoadState('networkidle');
    const cls = await page.evaluate(() => window.__cls);
    console.log(`cumulative layout shift of the product page: ${cls.toFixed(4)}`);
    assert.ok(cls < 0.1, `cumulative layout shift ${cls}, want under 0.1`);
    const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
    assert.equal(ld.aggregateRating['@type'], 'AggregateRating');
    assert.ok(ld.aggregateRating.reviewCount >= 1);

    const form = page.locator('.bmr-reviews__form');
    await form.getByRole('button', { name: 'Submit review' }).click();
    await form.getByText('Please choose a rating.').waitFor();
    await form.locator('label[for$="-4"]').click();
    await form.getByLabel('Title').fill('Nice gift');
    await form.getByLabel('Your review').fill('Bought one for my sister, she loves it.');
    await form.getByLabel('Your name').fill('Guest Shopper');
    await form.getByLabel('Your email (never shown)').fill(`guest-${Date.now()}@example.com`);
    await form.getByRole('button', { name: 'Submit review' }).click();
    await form.getByText('Thank you! Your review will appear once it has been checked.').waitFor();

    // A guest's panel: how to earn and the way in.
    await page.getByRole('button', { name: 'Rewards' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rewards' });
    await dialog.getByText('Ways to earn').waitFor();
    await dialog.getByRole('link', { name: 'Create an account' }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await b.close();
  }
});

test('the launcher works by keyboard alone and traps focus while open', async () => {
  const { b, page } = await open(sofia);
  try {
    const button = page.getByRole('button', { name: 'Rewards' });
    await button.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Rewards' });
    await dialog.getByText('Your points').waitFor();
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    assert.ok(await page.evaluate(() => document.activeElement.closest('[role="dialog"]') !== null), 'focus moved into the dialog');
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press(i % 7 === 6 ? 'Shift+Tab' : 'Tab');
      assert.ok(await page.evaluate(() => document.activeElement.closest('[role="dialog"]') !== null), `focus left the dialog after ${i + 1} tabs`);
    }
    await page.keyboard.press('Escape');
    assert.equal(await dialog.isVisible(), false);
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    assert.ok(await page.evaluate(() => document.activeElement.classList.contains('bmr-launcher__button')), 'focus back on the button');
  } finally {
    await b.close();
  }
});

test('axe finds no serious or critical violation, panel open, in English and in French', async () => {
  for (const locale of ['en', 'fr']) {
    const { b, page } = await open(sofia, locale);
    try {
      await page.locator('.bmr-review').first().waitFor();
      await page.locator('.bmr-launcher__button').click();
      await page.locator('.bmr-balance__value').waitFor();
      const v = await axeViolations(page);
      assert.equal(v.length, 0, `${locale}:\n${describeViolations(v)}`);
      if (locale === 'fr') {
        assert.equal((await page.locator('.bmr-reviews__toolbar label').textContent()).trim(), 'Trier par');
        assert.equal((await page.locator('.bmr-reviews__heading').textContent()).trim(), 'Avis clients');
        assert.equal((await page.locator('.bmr-bar__label').first().textContent()).trim(), '5 sur 5\u202f: 1');
      }
      await screenshot(page, `storefront-${locale}`);
    } finally {
      await b.close();
    }
  }
});
