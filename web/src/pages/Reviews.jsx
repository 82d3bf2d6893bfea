// Reviews: inbox, make-it-right cases, complaint themes and import.
import { useState } from 'react';
import { api } from '../api.js';
import { count, customerName, date, humanize, num, sentimentLabel } from '../format.js';
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

const ratingOptions = [{ label: 'Any rating', value: '' }, ...[5, 4, 3, 2, 1].map((r) => ({ label: `${r} star${r > 1 ? 's' : ''}`, value: String(r) }))];
const sentimentOptions = [
  { label: 'Any sentiment', value: '' },
  { label: 'Positive', value: 'positive' },
  { label: 'Neutral', value: 'neutral' },
  { label: 'Negative', value: 'negative' },
];
const statusOptions = [
  { label: 'Any status', value: '' },
  { label: 'Pending', value: 'pending' },
  { label: 'Published', value: 'published' },
  { label: 'Hidden', value: 'hidden' },
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
      toast(next === 'published' ? 'Review published' : 'Review hidden');
    } catch (e) {
      toast(e.message, { error: true });
    } finally {
      setBusy(null);
    }
  };
  const removeReview = async (r) => {
    if (!window.confirm(`Delete review ${r.id} for good? Its photos are deleted from Shopify Files too.`)) return;
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
      <Section title="Filter reviews">
        <Fields>
          <Fields.Row>
            <Select label="Rating" options={ratingOptions} value={rating} onChange={setRating} />
            <Select label="Sentiment" options={sentimentOptions} value={sentiment} onChange={setSentiment} />
            <Select label="Status" options={statusOptions} value={status} onChange={setStatus} />
          </Fields.Row>
          <ExportButton path="/api/reviews/export.csv" query={{ rating, sentiment, status }} filename="reviews.csv" testId="reviews-export">
            Export these reviews (CSV)
          </ExportButton>
        </Fields>
      </Section>
      <ErrorBanner error={list.error} title="Reviews could not be loaded" onRetry={list.reload} />
      {list.loading ? (
        <LoadingCards count={2} label="Loading reviews" />
      ) : list.items.length === 0 ? (
        !list.error && (
          <Section>
            {filtered ? (
              <Empty heading="No reviews match these filters">Clear a filter to see more.</Empty>
            ) : (
              <Empty heading="No reviews yet">
                Review requests go out 14 days after fulfillment. You can also import reviews from another app under Import.
              </Empty>
            )}
          </Section>
        )
      ) : (
        <Section testId="review-list">
          <Stack gap="400">
            {list.items.map((r) => (
              <article key={r.id} className="bm-list-item" data-testid="review" data-sentiment={r.sentiment && r.sentiment.label} aria-label={`Review ${r.id}`}>
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
                    <span className="bm-visually-hidden">{`${r.rating} out of 5 stars`}</span>
                    {r.title && <Text bold>{r.title}</Text>}
                    <Badge status={r.status}>{humanize(r.status)}</Badge>
                    {r.sentiment && <Badge status={r.sentiment.label}>{`Sentiment: ${sentimentLabel(r.sentiment)}`}</Badge>}
                    {r.sentiment && r.sentiment.contradiction && <Badge tone="warning">Stars and text disagree</Badge>}
                    {r.verified_buyer && <Badge tone="success">Verified buyer</Badge>}
                  </Stack>
                  {r.body && <Text>{r.body}</Text>}
                  {r.photos && r.photos.length > 0 && (
                    <Stack horizontal gap="200">
                      {r.photos.map((p) =>
                        p.url ? (
                          <img key={p.id} className="bm-review-photo" src={p.url} width={72} height={72} alt={`Photo ${p.position} of review ${r.id}`} />
                        ) : (
                          <Badge key={p.id} tone={p.status === 'failed' ? 'critical' : 'info'}>{`Photo ${p.position}: ${humanize(p.status)}`}</Badge>
                        ),
                      )}
                    </Stack>
                  )}
                  <ReviewReply review={r} onSaved={(reply) => replied(r, reply)} />
                  <Text muted size="small">
                    {date(r.created_at)}
                    {r.product_id && !r.product ? ` · product ${r.product_id}` : ''}
                    {r.sentiment && r.sentiment.language ? ` · ${r.sentiment.language}` : ''}
                  </Text>
                  <Stack horizontal gap="200">
                    {r.customer_id && <Link url={`/customers/${r.customer_id}`}>View customer</Link>}
                    {r.status !== 'published' && (
                      <Button size="slim" loading={busy === r.id} onClick={() => setReviewStatus(r, 'published')} label={`Publish review ${r.id}`}>
                        Publish
                      </Button>
                    )}
                    {r.status !== 'hidden' && (
                      <Button size="slim" loading={busy === r.id} onClick={() => setReviewStatus(r, 'hidden')} label={`Hide review ${r.id}`}>
                        Hide
                      </Button>
                    )}
                    <Button size="slim" critical loading={busy === r.id} onClick={() => removeReview(r)} label={`Delete review ${r.id}`}>
                      Delete
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
      toast(text.trim() ? 'Reply published' : 'Reply removed');
    } catch (e) {
      toast(e.message, { error: true });
    } finally {
      setSaving(false);
    }
  };
  if (!open) {
    return (
      <Stack gap="100">
        {review.reply && <Text muted>{`Your reply: ${review.reply}`}</Text>}
        <div>
          <Button size="slim" onClick={() => setOpen(true)} label={`${review.reply ? 'Edit the reply to' : 'Reply to'} review ${review.id}`}>
            {review.reply ? 'Edit reply' : 'Reply'}
          </Button>
        </div>
      </Stack>
    );
  }
  return (
    <Stack gap="200">
      <TextField label={`Public reply to review ${review.id}`} multiline={3} value={text} onChange={setText} help="Shown under the review on your store. Leave it empty to remove it." />
      <Stack horizontal gap="200">
        <Button size="slim" primary loading={saving} onClick={save}>
          Save reply
        </Button>
        <Button size="slim" onClick={() => setOpen(false)}>
          Cancel
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
      setErr('Add a note saying how it was made right');
      return;
    }
    setSaving(true);
    try {
      await api.post(`/api/cases/${c.id}/resolve`, { note: note.trim() });
      toast('Case resolved; promotional messages can resume');
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
          <Text bold>{`Case ${c.id}`}</Text>
          <Badge status={c.status}>{humanize(c.status)}</Badge>
          <Text muted size="small">opened {date(c.opened_at)}</Text>
          {c.resolved_at && <Text muted size="small">resolved {date(c.resolved_at)}</Text>}
        </Stack>
        <Stack horizontal gap="300">
          {c.customer_id && (
            <Link url={`/customers/${c.customer_id}`}>
              {customerName(c.customer || { id: c.customer_id })}
              {c.customer && c.customer.email && customerName(c.customer) !== c.customer.email ? ` (${c.customer.email})` : ''}
            </Link>
          )}
          {c.review_id && <Text size="small">Review {c.review_id}</Text>}
          {c.assignee && <Text size="small">Assigned to {c.assignee}</Text>}
        </Stack>
        {c.note && <Text>{c.note}</Text>}
        {c.status === 'open' && (
          <form onSubmit={resolve}>
            <Fields>
              <TextField label={`Resolution note for case ${c.id}`} value={note} onChange={(v) => { setNote(v); setErr(null); }} error={err} multiline={2} />
              <Button submit loading={saving} testId="resolve-case">
                Resolve case
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
      <Section title="Make-it-right cases">
        <Text muted>A case opens for each negative review. While it is open the customer gets no promotions.</Text>
        <Select label="Show" options={[{ label: 'Open cases', value: 'open' }, { label: 'Resolved cases', value: 'resolved' }]} value={status} onChange={setStatus} />
      </Section>
      <ErrorBanner error={list.error} title="Cases could not be loaded" onRetry={list.reload} />
      {list.loading ? (
        <LoadingCards count={1} label="Loading cases" />
      ) : list.items.length === 0 ? (
        !list.error && (
          <Section>
            <Empty heading={status === 'open' ? 'No open cases' : 'No resolved cases yet'}>
              {status === 'open' ? 'Nothing to make right. Negative reviews open a case here automatically.' : 'Resolved cases are kept here with their notes.'}
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
  if (loading) return <LoadingCards count={1} label="Loading themes" />;
  if (error) return <ErrorBanner error={error} title="Themes could not be loaded" onRetry={reload} />;
  if (!themes.length) {
    return (
      <Section>
        <Empty heading="No complaint themes yet">
          Themes are recurring topics across negative reviews and subscription cancellation reasons. They appear once there are a few.
        </Empty>
      </Section>
    );
  }
  return (
    <Stack gap="400">
      <Section title="Complaint themes" testId="themes">
        <BarList
          label="Complaints by theme"
          items={themes.map((t) => ({ key: t.theme, label: humanize(t.theme), value: Number(t.count) || 0 }))}
          format={num}
        />
      </Section>
      {themes.map((t) => (
        <Section key={t.theme} title={`${humanize(t.theme)} · ${num(t.count)}`} testId="theme">
          {t.trend && t.trend.length > 0 && (
            <Table
              caption={`Weekly complaints about ${humanize(t.theme)}`}
              columns={t.trend.map((w, i) => ({ key: String(i), label: w.week, numeric: true, header: false, render: () => num(w.count) }))}
              rows={[{ id: 'counts' }]}
            />
          )}
          {(t.quotes || []).slice(0, 3).map((q, i) => (
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
      setError(new Error('Choose a CSV or JSON file first.'));
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
      toast(`Imported ${count(r.imported, 'review')}`);
    } catch (ex) {
      setError(ex);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Import reviews" testId="review-import">
      <Text muted>Bring reviews from another app: a CSV or JSON export with product, rating, title, body, author email and date.</Text>
      <form onSubmit={submit}>
        <Fields>
          <FileInput label="Review file (CSV or JSON)" accept=".csv,.json,text/csv,application/json" onChange={setFile} />
          <Button submit primary loading={busy} testId="import-submit">
            Import
          </Button>
        </Fields>
      </form>
      <ErrorBanner error={error} title="The import failed" />
      {report && (
        <div data-testid="import-report">
          <Stack gap="300">
            <Notice tone={report.errors && report.errors.length ? 'warning' : 'success'} title={`${num(report.imported)} imported, ${num(report.skipped)} skipped`}>
              {report.errors && report.errors.length ? 'Some rows were not imported; see the reasons below.' : 'Every row was read.'}
            </Notice>
            <LineErrors caption="Rows not imported" rows={report.errors} />
          </Stack>
        </div>
      )}
    </Section>
  );
}

const tabs = [
  { id: 'inbox', label: 'Inbox' },
  { id: 'cases', label: 'Cases' },
  { id: 'themes', label: 'Themes' },
  { id: 'import', label: 'Import' },
];

export const reviewsData = () => [['/api/reviews']];

export function Reviews() {
  const [tab, setTab] = useState('inbox');
  return (
    <Page title="Reviews" subtitle="Every review scored for sentiment; negative ones open a make-it-right case" testId="page-reviews">
      <Tabs tabs={tabs} selected={tab} onSelect={setTab}>
        {tab === 'inbox' && <Inbox />}
        {tab === 'cases' && <Cases />}
        {tab === 'themes' && <Themes />}
        {tab === 'import' && <Import />}
      </Tabs>
    </Page>
  );
}
