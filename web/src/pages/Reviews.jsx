// Reviews: inbox, make-it-right cases, complaint themes and import.
import { useState } from 'react';
import { api } from '../api.js';
import { customerName, date, humanize, num, sentimentLabel } from '../format.js';
import { useList, useResource } from '../hooks.js';
import { ExportButton } from './ExportButton.jsx';
import {
  Badge,
  BarList,
  Button,
  Empty,
  ErrorBanner,
  Fields,
  FileInput,
  LineErrors,
  Link,
  LoadingCards,
  More,
  Notice,
  Page,
  Section,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextField,
  useToast,
} from '../ui/index.js';
import { msg, t, tOptions } from '../i18n.js';

const ratingOptions = () => [{ label: t('Any rating'), value: '' }, ...[5, 4, 3, 2, 1].map((r) => ({ label: t('{{count}} stars', { count: r }), value: String(r) }))];
const sentimentOptions = [
  { label: msg('Any sentiment'), value: '' },
  { label: msg('Positive'), value: 'positive' },
  { label: msg('Neutral'), value: 'neutral' },
  { label: msg('Negative'), value: 'negative' },
];
const statusOptions = [
  { label: msg('Any status'), value: '' },
  { label: msg('Pending'), value: 'pending' },
  { label: msg('Published'), value: 'published' },
  { label: msg('Hidden'), value: 'hidden' },
];

function Inbox() {
  const toast = useToast();
  const [rating, setRating] = useState('');
  const [sentiment, setSentiment] = useState('');
  const [status, setStatus] = useState('');
  const list = useList('/api/reviews', { rating, sentiment, status }, 'reviews');
  const [busy, setBusy] = useState(null);
  const setReviewStatus = async (r, next) => {
    setBusy(r.id);
    try {
      await api.patch(`/api/reviews/${r.id}`, { status: next });
      list.update((items) => items.map((x) => (x.id === r.id ? { ...x, status: next } : x)));
      toast(next === 'published' ? t('Review published') : t('Review hidden'));
    } catch (e) {
      toast(e.message, { error: true });
    } finally {
      setBusy(null);
    }
  };
  const removeReview = async (r) => {
    if (!window.confirm(t('Delete review {{id}} for good? Its photos are deleted from Shopify Files too.', { id: r.id }))) return;
    setBusy(r.id);
    try {
      await api.del(`/api/reviews/${r.id}`);
      list.update((items) => items.filter((x) => x.id !== r.id));
      toast('Review deleted');
    } catch (e) {
      toast(e.message, { error: true });
    } finally {
      setBusy(null);
    }
  };
  const replied = (r, reply) => list.update((items) => items.map((x) => (x.id === r.id ? { ...x, reply } : x)));
  const filtered = !!(rating || sentiment || status);
  return (
    <Stack gap="400">
      <Section title={t('Filter reviews')}>
        <Fields>
          <Fields.Row>
            <Select label={t('Rating')} options={ratingOptions()} value={rating} onChange={setRating} />
            <Select label={t('Sentiment')} options={tOptions(sentimentOptions)} value={sentiment} onChange={setSentiment} />
            <Select label={t('Status')} options={tOptions(statusOptions)} value={status} onChange={setStatus} />
          </Fields.Row>
          <ExportButton path="/api/reviews/export.csv" query={{ rating, sentiment, status }} filename="reviews.csv" testId="reviews-export">
            {t('Export these reviews (CSV)')}
          </ExportButton>
        </Fields>
      </Section>
      <ErrorBanner error={list.error} title={t('Reviews could not be loaded')} onRetry={list.reload} />
      {list.loading ? (
        <LoadingCards count={2} label={t('Loading reviews')} />
      ) : list.items.length === 0 ? (
        !list.error && (
          <Section>
            {filtered ? (
              <Empty heading={t('No reviews match these filters')}>{t('Clear a filter to see more.')}</Empty>
            ) : (
              <Empty heading={t('No reviews yet')}>
                {t('Review requests go out 14 days after fulfillment. You can also import reviews from another app under Import.')}
              </Empty>
            )}
          </Section>
        )
      ) : (
        <Section testId="review-list">
          <Stack gap="400">
            {list.items.map((r) => (
              <article key={r.id} className="bm-list-item" data-testid="review" data-sentiment={r.sentiment && r.sentiment.label} aria-label={t('Review {{id}}', { id: r.id })}>
                <Stack gap="200">
                  {r.product && (
                    <Stack horizontal gap="200">
                      {r.product.image_url && <img className="bm-product-thumb" src={r.product.image_url} width={40} height={40} alt="" />}
                      <Text bold testId="review-product">
                        {r.product.title}
                      </Text>
                    </Stack>
                  )}
                  <Stack horizontal gap="200">
                    <span aria-hidden="true">
                      <Text bold>{`${'★'.repeat(r.rating || 0)}${'☆'.repeat(Math.max(0, 5 - (r.rating || 0)))}`}</Text>
                    </span>
                    <span className="bm-visually-hidden">{t('{{rating}} out of 5 stars', { rating: r.rating })}</span>
                    {r.title && <Text bold>{r.title}</Text>}
                    <Badge status={r.status}>{humanize(r.status)}</Badge>
                    {r.sentiment && <Badge status={r.sentiment.label}>{`Sentiment: ${sentimentLabel(r.sentiment)}`}</Badge>}
                    {r.sentiment && r.sentiment.contradiction && <Badge tone="warning">{t('Stars and text disagree')}</Badge>}
                    {r.verified_buyer && <Badge tone="success">{t('Verified buyer')}</Badge>}
                  </Stack>
                  {r.body && <Text>{r.body}</Text>}
                  {r.photos && r.photos.length > 0 && (
                    <Stack horizontal gap="200">
                      {r.photos.map((p) =>
                        p.url ? (
                          <img key={p.id} className="bm-review-photo" src={p.url} width={72} height={72} alt={t('Photo {{n}} of review {{id}}', { n: p.position, id: r.id })} />
                        ) : (
                          <Badge key={p.id} tone={p.status === 'failed' ? 'critical' : 'info'}>{t('Photo {{n}}: {{status}}', { n: p.position, status: humanize(p.status) })}</Badge>
                        ),
                      )}
                    </Stack>
                  )}
                  <ReviewReply review={r} onSaved={(reply) => replied(r, reply)} />
                  <Text muted size="small">
                    {date(r.created_at)}
                    {r.product_id && !r.product ? ` · ${t('product {{id}}', { id: r.product_id })}` : ''}
                    {r.sentiment && r.sentiment.language ? ` · ${r.sentiment.language}` : ''}
                  </Text>
                  <Stack horizontal gap="200">
                    {r.customer_id && <Link url={`/customers/${r.customer_id}`}>{t('View customer')}</Link>}
                    {r.status !== 'published' && (
                      <Button size="slim" loading={busy === r.id} onClick={() => setReviewStatus(r, 'published')} label={t('Publish review {{id}}', { id: r.id })}>
                        {t('Publish')}
                      </Button>
                    )}
                    {r.status !== 'hidden' && (
                      <Button size="slim" loading={busy === r.id} onClick={() => setReviewStatus(r, 'hidden')} label={t('Hide review {{id}}', { id: r.id })}>
                        {t('Hide')}
                      </Button>
                    )}
                    <Button size="slim" critical loading={busy === r.id} onClick={() => removeReview(r)} label={t('Delete review {{id}}', { id: r.id })}>
                      {t('Delete')}
                    </Button>
                  </Stack>
                </Stack>
              </article>
            ))}
            <More hasMore={list.hasMore} loading={list.more} onClick={list.loadMore} />
          </Stack>
        </Section>
      )}
    </Stack>
  );
}

// ReviewReply is the merchant's public answer under a review, shown on the storefront.
function ReviewReply({ review, onSaved }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(review.reply || '');
  const [saving, setSaving] = useState(false);
  const save = async () => {
    setSaving(true);
    try {
      await api.put(`/api/reviews/${review.id}/reply`, { reply: text });
      onSaved(text.trim());
      setOpen(false);
      toast(text.trim() ? t('Reply published') : t('Reply removed'));
    } catch (e) {
      toast(e.message, { error: true });
    } finally {
      setSaving(false);
    }
  };
  if (!open) {
    return (
      <Stack gap="100">
        {review.reply && <Text muted>{t('Your reply: {{reply}}', { reply: review.reply })}</Text>}
        <div>
          <Button size="slim" onClick={() => setOpen(true)} label={review.reply ? t('Edit the reply to review {{id}}', { id: review.id }) : t('Reply to review {{id}}', { id: review.id })}>
            {review.reply ? t('Edit reply') : t('Reply')}
          </Button>
        </div>
      </Stack>
    );
  }
  return (
    <Stack gap="200">
      <TextField label={t('Public reply to review {{id}}', { id: review.id })} multiline={3} value={text} onChange={setText} help={t('Shown under the review on your store. Leave it empty to remove it.')} />
      <Stack horizontal gap="200">
        <Button size="slim" primary loading={saving} onClick={save}>
          {t('Save reply')}
        </Button>
        <Button size="slim" onClick={() => setOpen(false)}>
          {t('Cancel')}
        </Button>
      </Stack>
    </Stack>
  );
}

function CaseRow({ c, onResolved }) {
  const toast = useToast();
  const [note, setNote] = useState('');
  const [err, setErr] = useState(null);
  const [saving, setSaving] = useState(false);
  const resolve = async (e) => {
    e.preventDefault();
    if (!note.trim()) {
      setErr(t('Add a note saying how it was made right'));
      return;
    }
    setSaving(true);
    try {
      await api.post(`/api/cases/${c.id}/resolve`, { note: note.trim() });
      toast(t('Case resolved; promotional messages can resume'));
      onResolved();
    } catch (ex) {
      setErr(ex.message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <div className="bm-list-item" data-testid="case" data-status={c.status}>
      <Stack gap="200">
        <Stack horizontal gap="200">
          <Text bold>{t('Case {{id}}', { id: c.id })}</Text>
          <Badge status={c.status}>{humanize(c.status)}</Badge>
          <Text muted size="small">{t('opened {{date}}', { date: date(c.opened_at) })}</Text>
          {c.resolved_at && <Text muted size="small">{t('resolved {{date}}', { date: date(c.resolved_at) })}</Text>}
        </Stack>
        <Stack horizontal gap="300">
          {c.customer_id && (
            <Link url={`/customers/${c.customer_id}`}>
              {customerName(c.customer || { id: c.customer_id })}
              {c.customer && c.customer.email && customerName(c.customer) !== c.customer.email ? ` (${c.customer.email})` : ''}
            </Link>
          )}
          {c.review_id && <Text size="small">{t('Review {{id}}', { id: c.review_id })}</Text>}
          {c.assignee && <Text size="small">{t('Assigned to {{name}}', { name: c.assignee })}</Text>}
        </Stack>
        {c.note && <Text>{c.note}</Text>}
        {c.status === 'open' && (
          <form onSubmit={resolve}>
            <Fields>
              <TextField label={t('Resolution note for case {{id}}', { id: c.id })} value={note} onChange={(v) => { setNote(v); setErr(null); }} error={err} multiline={2} />
              <Button submit loading={saving} testId="resolve-case">
                {t('Resolve case')}
              </Button>
            </Fields>
          </form>
        )}
      </Stack>
    </div>
  );
}

function Cases() {
  const [status, setStatus] = useState('open');
  const list = useList('/api/cases', { status }, 'cases');
  return (
    <Stack gap="400">
      <Section title={t('Make-it-right cases')}>
        <Text muted>{t('A case opens for each negative review. While it is open the customer gets no promotions.')}</Text>
        <Select label={t('Show')} options={[{ label: t('Open cases'), value: 'open' }, { label: t('Resolved cases'), value: 'resolved' }]} value={status} onChange={setStatus} />
      </Section>
      <ErrorBanner error={list.error} title={t('Cases could not be loaded')} onRetry={list.reload} />
      {list.loading ? (
        <LoadingCards count={1} label={t('Loading cases')} />
      ) : list.items.length === 0 ? (
        !list.error && (
          <Section>
            <Empty heading={status === 'open' ? t('No open cases') : t('No resolved cases yet')}>
              {status === 'open' ? t('Nothing to make right. Negative reviews open a case here automatically.') : t('Resolved cases are kept here with their notes.')}
            </Empty>
          </Section>
        )
      ) : (
        <Section testId="case-list">
          <Stack gap="300">
            {list.items.map((c) => (
              <CaseRow key={c.id} c={c} onResolved={list.reload} />
            ))}
            <More hasMore={list.hasMore} loading={list.more} onClick={list.loadMore} />
          </Stack>
        </Section>
      )}
    </Stack>
  );
}

function Themes() {
  const { data, error, loading, reload } = useResource('/api/themes');
  const themes = (data && data.themes) || [];
  if (loading) return <LoadingCards count={1} label={t('Loading themes')} />;
  if (error) return <ErrorBanner error={error} title={t('Themes could not be loaded')} onRetry={reload} />;
  if (!themes.length) {
    return (
      <Section>
        <Empty heading={t('No complaint themes yet')}>
          {t('Themes are recurring topics across negative reviews and subscription cancellation reasons. They appear once there are a few.')}
        </Empty>
      </Section>
    );
  }
  return (
    <Stack gap="400">
      <Section title={t('Complaint themes')} testId="themes">
        <BarList
          label={t('Complaints by theme')}
          items={themes.map((th) => ({ key: th.theme, label: humanize(th.theme), value: Number(th.count) || 0 }))}
          format={num}
        />
      </Section>
      {themes.map((th) => (
        <Section key={th.theme} title={`${humanize(th.theme)} · ${num(th.count)}`} testId="theme">
          {th.trend && th.trend.length > 0 && (
            <Table
              caption={t('Weekly complaints about {{theme}}', { theme: humanize(th.theme) })}
              columns={th.trend.map((w, i) => ({ key: String(i), label: w.week, numeric: true, header: false, render: () => num(w.count) }))}
              rows={[{ id: 'counts' }]}
            />
          )}
          {(th.quotes || []).slice(0, 3).map((q, i) => (
            <blockquote key={i} className="bm-quote">
              {typeof q === 'string' ? q : q.text || q.body || JSON.stringify(q)}
            </blockquote>
          ))}
        </Section>
      ))}
    </Stack>
  );
}

function Import() {
  const toast = useToast();
  const [file, setFile] = useState(null);
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    if (!file) {
      setError(new Error(t('Choose a CSV or JSON file first.')));
      return;
    }
    const form = new FormData();
    form.append('file', file);
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      const r = await api.upload('/api/reviews/import', form);
      setReport(r);
      toast(t('Imported {{count}} reviews', { count: Number(r.imported) || 0 }));
    } catch (ex) {
      setError(ex);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t('Import reviews')} testId="review-import">
      <Text muted>{t('Bring reviews from another app: a CSV or JSON export with product, rating, title, body, author email and date.')}</Text>
      <form onSubmit={submit}>
        <Fields>
          <FileInput label={t('Review file (CSV or JSON)')} accept=".csv,.json,text/csv,application/json" onChange={setFile} />
          <Button submit primary loading={busy} testId="import-submit">
            {t('Import')}
          </Button>
        </Fields>
      </form>
      <ErrorBanner error={error} title={t('The import failed')} />
      {report && (
        <div data-testid="import-report">
          <Stack gap="300">
            <Notice tone={report.errors && report.errors.length ? 'warning' : 'success'} title={t('{{imported}} imported, {{skipped}} skipped', { imported: num(report.imported), skipped: num(report.skipped) })}>
              {report.errors && report.errors.length ? t('Some rows were not imported; see the reasons below.') : t('Every row was read.')}
            </Notice>
            <LineErrors caption={t('Rows not imported')} rows={report.errors} />
          </Stack>
        </div>
      )}
    </Section>
  );
}

const tabs = [
  { id: 'inbox', label: msg('Inbox') },
  { id: 'cases', label: msg('Cases') },
  { id: 'themes', label: msg('Themes') },
  { id: 'import', label: msg('Import') },
];

export const reviewsData = () => [['/api/reviews']];

export function Reviews() {
  const [tab, setTab] = useState('inbox');
  return (
    <Page title={t('Reviews')} subtitle={t('Every review scored for sentiment; negative ones open a make-it-right case')} testId="page-reviews">
      <Tabs tabs={tOptions(tabs)} selected={tab} onSelect={setTab}>
        {tab === 'inbox' && <Inbox />}
        {tab === 'cases' && <Cases />}
        {tab === 'themes' && <Themes />}
        {tab === 'import' && <Import />}
      </Tabs>
    </Page>
  );
}
