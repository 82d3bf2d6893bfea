// One message: settings, Liquid templates with line-numbered errors, live preview and test send.
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api.js';
import { humanize } from '../format.js';
import { useDebounced, useResource } from '../hooks.js';
import { locale } from '../locale.js';
import { navigate } from '../router.jsx';
import { normalizePath } from '../settingsForm.jsx';
import {
  Button,
  CodeField,
  ErrorBanner,
  Fields,
  LoadingCards,
  Page,
  SaveBar,
  Section,
  Select,
  Split,
  Stack,
  Text,
  TextField,
  useToast,
} from '../ui/index.js';
import { msg, t } from '../i18n.js';

const TEMPLATE_KEYS = ['subject', 'html', 'text', 'sms'];
const templateLabels = { subject: msg('Subject (Liquid)'), html: msg('HTML body (Liquid)'), text: msg('Plain-text body (Liquid)'), sms: msg('SMS (Liquid)') };

// The triggers the server accepts (models.MessageTriggers); the message list also returns them.
const knownTriggers = [
  'points_earned',
  'points_expiring',
  'reward_issued',
  'tier_changed',
  'negative_review',
  'review_request',
  'review_reminder',
  'subscription_cancelled',
  'one_time_buyer_quiet',
  'at_risk',
  'first_order',
  'referral_rewarded',
  'birthday',
];

const blank = {
  name: '',
  trigger: 'points_earned',
  channel: 'email',
  kind: 'transactional',
  delay_minutes: 0,
  enabled: false,
  templates: { subject: '', html: '', text: '', sms: '' },
};

// Templates may come nested ({templates:{...}}) or flat on the message; we edit one shape and write back the
// shape we loaded.
function templatesOf(m) {
  if (m.templates && typeof m.templates === 'object') return { ...blank.templates, ...m.templates };
  const tpl = {};
  for (const k of TEMPLATE_KEYS) tpl[k] = m[k] || '';
  return tpl;
}

function withTemplates(m, tpl, nested) {
  if (nested) return { ...m, templates: tpl };
  return { ...m, ...tpl };
}

// templateField maps a 422 `field` ("html", "templates.html", "templates[html]") to a template key.
function templateField(field) {
  const parts = normalizePath(field).replace(/\[(\w+)\]/g, '.$1').split('.');
  const last = parts[parts.length - 1];
  return TEMPLATE_KEYS.includes(last) ? last : null;
}

// Variables lists what a template may use for the trigger, from the same list the server checks
// templates against; a click inserts one where the cursor was in the last template field used.
function Variables({ trigger, onInsert }) {
  const { data, error } = useResource('/api/messages/variables', { trigger });
  const vars = (data && data.variables) || [];
  const own = vars.filter((v) => v.for_trigger);
  const others = vars.filter((v) => !v.for_trigger);
  const row = (v) => (
    <li key={v.name}>
      <button type="button" className="bm-var" onClick={() => onInsert(`{{ ${v.name} }}`)} data-testid={`variable-${v.name}`}>
        <code>{`{{ ${v.name} }}`}</code>
      </button>{' '}
      <span className="bm-var-help">
        {t(v.description)}
        {v.sample ? ` (${t('sample: {{value}}', { value: v.sample })})` : ''}
      </span>
    </li>
  );
  return (
    <div data-testid="template-variables">
      <Text muted>
        {t('Liquid, as in Shopify themes ({{example}}, filters). Click a variable to insert it at the cursor.', { example: '{% if %}…{% endif %}' })}
      </Text>
      {error && <Text muted>{t('The variables could not be loaded.')}</Text>}
      <ul className="bm-vars" aria-label={t('Variables for this trigger')}>
        {own.map(row)}
      </ul>
      {others.length > 0 && (
        <details>
          <summary>{t('Empty for this trigger ({{n}})', { n: others.length })}</summary>
          <ul className="bm-vars">{others.map(row)}</ul>
        </details>
      )}
    </div>
  );
}

function Preview({ templates, channel }) {
  const [customerId, setCustomerId] = useState('');
  const debounced = useDebounced(JSON.stringify({ templates, customer_id: customerId.trim() }), 500);
  const [state, setState] = useState({ loading: false, out: null, error: null });
  useEffect(() => {
    const req = JSON.parse(debounced);
    const body = { templates: req.templates };
    if (req.customer_id) body.customer_id = /^\d+$/.test(req.customer_id) ? Number(req.customer_id) : req.customer_id;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    api
      .post('/api/messages/preview', body, { signal: ctl.signal })
      .then((out) => setState({ loading: false, out, error: null }))
      .catch((error) => {
        if (error.name !== 'AbortError') setState((s) => ({ loading: false, out: s.out, error }));
      });
    return () => ctl.abort();
  }, [debounced]);
  const { out, error } = state;
  const errKey = error && error.field ? templateField(error.field) : null;
  return (
    <Section title={t('Live preview')} testId="preview">
      <TextField
        label={t('Preview as customer ID')}
        value={customerId}
        onChange={setCustomerId}
        help={t('Leave empty to preview with sample data.')}
        testId="preview-customer"
      />
      {error && (
        <div role="alert" data-testid="preview-error" className="bm-code-error">
          {errKey ? `${humanize(errKey)}${error.line ? `, ${t('line {{line}}', { line: error.line })}` : ''}: ` : ''}
          {error.message}
        </div>
      )}
      <div data-testid="preview-output" aria-live="polite" aria-busy={state.loading ? 'true' : 'false'}>
        {out ? (
          <Stack gap="300">
            {out.sample && (
              <Text muted testId="preview-sample">
                {t('Sample data: a sample shopper, Chrissy Moreau, at your shop. The test send uses the same.')}
              </Text>
            )}
            {channel !== 'sms' && (
              <>
                <Text>
                  <strong>{t('Subject:')}</strong> <span data-testid="preview-subject">{out.subject}</span>
                </Text>
                {out.html ? (
                  <iframe title={t('Email preview')} className="bm-preview" sandbox="" srcDoc={out.html} data-testid="preview-html" />
                ) : null}
                {out.text ? (
                  <details>
                    <summary>{t('Plain-text version')}</summary>
                    <pre className="bm-pre" data-testid="preview-text">
                      {out.text}
                    </pre>
                  </details>
                ) : null}
              </>
            )}
            {(channel === 'sms' || out.sms) && (
              <div>
                <Text bold>{t('SMS')}</Text>
                <pre className="bm-pre" data-testid="preview-sms">
                  {out.sms}
                </pre>
              </div>
            )}
          </Stack>
        ) : (
          <Text muted>{state.loading ? t('Rendering…') : t('The preview appears here.')}</Text>
        )}
      </div>
    </Section>
  );
}

// The languages a message can have its own copy in (the default copy serves every other one).
const COPY_LANGUAGES = ['fr', 'de', 'es', 'it', 'pt', 'nl', 'ru', 'tr', 'en'];

// CopyLanguage picks which copy of the message is edited; each shopper gets the copy in their own
// language, named here in the merchant's.
function CopyLanguage({ lang, onChange, own, onDrop }) {
  const names = new Intl.DisplayNames([locale], { type: 'language' });
  const options = [{ value: '', label: t('Default copy (every other language)') }, ...COPY_LANGUAGES.map((l) => ({ value: l, label: names.of(l) }))];
  return (
    <Stack gap="200">
      <Select label={t('Language of this copy')} options={options} value={lang} onChange={onChange} testId="copy-language" />
      <Text muted size="small">
        {t('Each shopper gets the copy in their own language (as Shopify knows it, else your store’s), or the default copy.')}
      </Text>
      {lang && !own && <Text muted size="small">{t('This language uses the default copy until you change it here.')}</Text>}
      {lang && own && (
        <div>
          <Button plain onClick={onDrop} testId="copy-drop">
            {t('Use the default copy for this language')}
          </Button>
        </div>
      )}
    </Stack>
  );
}

function TestSend({ id, disabled, language }) {
  const toast = useToast();
  const [to, setTo] = useState('');
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const send = async (e) => {
    e.preventDefault();
    if (!/^\S+@\S+\.\S+$|^\+?\d{6,}$/.test(to.trim())) {
      setErr(t('Enter an email address (or a phone number for SMS)'));
      return;
    }
    setBusy(true);
    setErr(null);
    try {
      await api.post(`/api/messages/${id}/test`, { to: to.trim(), language });
      toast(t('Test sent to {{to}}', { to: to.trim() }));
    } catch (ex) {
      setErr(ex.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t('Send a test')} testId="test-send">
      {disabled && <Text muted>{t('Save the message first.')}</Text>}
      <form onSubmit={send}>
        <Fields>
          <TextField label={t('Send a test to')} type="email" value={to} onChange={(v) => { setTo(v); setErr(null); }} error={err} disabled={disabled} autoComplete="email" />
          <Button submit loading={busy} disabled={disabled} testId="test-send-button">
            {t('Send test')}
          </Button>
        </Fields>
      </form>
    </Section>
  );
}

export function MessageEditor({ params }) {
  const isNew = params.id === 'new';
  const toast = useToast();
  const { data, error, loading, reload, setData } = useResource(isNew ? null : `/api/messages/${encodeURIComponent(params.id)}`);
  const loaded = isNew ? blank : data;
  const nested = useRef(true);
  const [draft, setDraft] = useState(null);
  const [fieldErr, setFieldErr] = useState(null);
  const [failure, setFailure] = useState(null);
  const [saving, setSaving] = useState(false);
  // The copy being edited: '' is the default copy, otherwise a language's own.
  const [lang, setLang] = useState('');

  const baseline = useMemo(() => {
    if (!loaded) return null;
    nested.current = !!(loaded.templates && typeof loaded.templates === 'object') || isNew;
    return { ...loaded, templates: templatesOf(loaded) };
  }, [loaded, isNew]);
  useEffect(() => {
    if (baseline) setDraft(baseline);
  }, [baseline]);

  const typed = (m) => (m && /^\d+$/.test(String(m.delay_minutes).trim()) ? { ...m, delay_minutes: Number(m.delay_minutes) } : m);
  const dirty = !!(draft && baseline && JSON.stringify(typed(draft)) !== JSON.stringify(typed(baseline)));
  const set = (k) => (v) => {
    setDraft((d) => ({ ...d, [k]: v }));
    if (fieldErr && fieldErr.field === k) setFieldErr(null);
  };
  const setTemplate = (k) => (v) => {
    setDraft((d) => {
      if (!lang) return { ...d, templates: { ...d.templates, [k]: v } };
      const own = (d.translations || {})[lang] || d.templates;
      return { ...d, translations: { ...(d.translations || {}), [lang]: { ...own, [k]: v } } };
    });
    if (fieldErr && fieldErr.field === k) setFieldErr(null);
  };
  const copy = draft && lang ? (draft.translations || {})[lang] || draft.templates : draft && draft.templates;
  const dropCopy = () => {
    setDraft((d) => {
      const rest = { ...(d.translations || {}) };
      delete rest[lang];
      return { ...d, translations: rest };
    });
  };
  const fields = useRef({});
  const lastField = useRef(null);
  const insert = (snippet) => {
    const shown = TEMPLATE_KEYS.filter((k) => fields.current[k]);
    const k = shown.includes(lastField.current) ? lastField.current : shown.includes('html') ? 'html' : shown[0];
    const el = fields.current[k];
    if (!el) return;
    const value = el.value;
    const start = el.selectionStart ?? value.length;
    const end = el.selectionEnd ?? start;
    setTemplate(k)(value.slice(0, start) + snippet + value.slice(end));
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(start + snippet.length, start + snippet.length);
    });
  };

  const save = async () => {
    const delay = Number(draft.delay_minutes);
    if (!draft.name.trim()) return setFieldErr({ field: 'name', message: t('Give the message a name') });
    if (!Number.isInteger(delay) || delay < 0) return setFieldErr({ field: 'delay_minutes', message: t('Enter whole minutes, 0 or more') });
    const { templates, ...rest } = draft;
    const body = withTemplates({ ...rest, delay_minutes: delay }, templates, nested.current);
    setSaving(true);
    setFailure(null);
    setFieldErr(null);
    try {
      if (isNew) {
        const created = await api.post('/api/messages', body);
        toast(t('Message created'));
        if (created && created.id !== undefined) navigate(`/messages/${created.id}`, { replace: true });
      } else {
        const saved = await api.put(`/api/messages/${encodeURIComponent(params.id)}`, body);
        toast(t('Message saved'));
        setData(saved && typeof saved === 'object' && saved.id !== undefined ? saved : body);
      }
    } catch (err) {
      if (err.status === 422 && err.field) {
        const tk = templateField(err.field);
        const inLanguage = /^translations[.[](\w+)/.exec(normalizePath(err.field));
        setLang(inLanguage ? inLanguage[1] : tk ? '' : lang);
        setFieldErr({ field: tk || normalizePath(err.field), line: err.line, message: err.message });
        if (!tk && !['name', 'trigger', 'channel', 'kind', 'delay_minutes'].includes(normalizePath(err.field))) setFailure(err);
      } else {
        setFailure(err);
      }
    } finally {
      setSaving(false);
    }
  };

  const title = isNew ? t('New message') : draft ? (draft.name ? t(draft.name) : t('Message {{id}}', { id: params.id })) : t('Message');
  const errFor = (k) => (fieldErr && fieldErr.field === k ? <span data-testid={`field-error-${k}`}>{fieldErr.message}</span> : undefined);
  const triggerOptions = useMemo(() => {
    const list = [...knownTriggers];
    if (draft && draft.trigger && !list.includes(draft.trigger)) list.unshift(draft.trigger);
    return list.map((trigger) => ({ value: trigger, label: humanize(trigger) }));
  }, [draft]);

  return (
    <Page title={title} back={{ label: t('Messages'), url: '/messages' }} testId="page-message">
      {!isNew && <ErrorBanner error={error} title={error && error.status === 404 ? t('Message not found') : t('The message could not be loaded')} onRetry={error && error.status !== 404 ? reload : undefined} />}
      {!draft && loading && <LoadingCards count={2} label={t('Loading message')} />}
      {draft && (
        <div data-testid="message-form">
          <SaveBar dirty={dirty} saving={saving} onSave={save} onDiscard={() => { setDraft(baseline); setFieldErr(null); }} />
          <Split
            main={
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  save();
                }}
                noValidate
                aria-label={t('Message')}
              >
              <Stack gap="400">
                <ErrorBanner error={failure} title={t('The message was not saved')} onDismiss={() => setFailure(null)} />
                <Section title={t('Settings')}>
                  <Fields>
                    <TextField label={t('Name')} value={draft.name} onChange={set('name')} error={errFor('name')} />
                    <Fields.Row>
                      <Select label={t('Trigger')} options={triggerOptions} value={draft.trigger} onChange={set('trigger')} error={errFor('trigger')} />
                      <Select label={t('Channel')} options={[{ value: 'email', label: t('Email') }, { value: 'sms', label: t('SMS') }]} value={draft.channel} onChange={set('channel')} error={errFor('channel')} />
                    </Fields.Row>
                    <Fields.Row>
                      <Select
                        label={t('Kind')}
                        options={[
                          { value: 'transactional', label: t('Transactional (skips the frequency cap)') },
                          { value: 'promotional', label: t('Promotional (needs consent; obeys cap and holds)') },
                        ]}
                        value={draft.kind}
                        onChange={set('kind')}
                        error={errFor('kind')}
                      />
                      <TextField label={t('Delay (minutes after the trigger)')} type="number" min={0} step={1} value={draft.delay_minutes} onChange={set('delay_minutes')} error={errFor('delay_minutes')} />
                    </Fields.Row>
                  </Fields>
                </Section>
                <Section title={t('Templates')}>
                  <Variables trigger={draft.trigger} onInsert={insert} />
                  <CopyLanguage lang={lang} onChange={setLang} own={!!(draft.translations || {})[lang]} onDrop={dropCopy} />
                  {TEMPLATE_KEYS.filter((k) => (draft.channel === 'sms' ? k === 'sms' : k !== 'sms') || copy[k]).map((k) => (
                    <CodeField
                      key={k}
                      label={t(templateLabels[k])}
                      value={copy[k]}
                      onChange={setTemplate(k)}
                      rows={k === 'subject' ? 1 : k === 'html' ? 12 : 5}
                      error={fieldErr && fieldErr.field === k ? fieldErr.message : null}
                      errorLine={fieldErr && fieldErr.field === k ? fieldErr.line : null}
                      testId={`template-${k}`}
                      errorTestId="liquid-error"
                      inputRef={(el) => {
                        fields.current[k] = el;
                      }}
                      onFocus={() => {
                        lastField.current = k;
                      }}
                    />
                  ))}
                </Section>
                <div>
                  <Button submit primary loading={saving} disabled={!isNew && !dirty} testId="save-button">
                    {isNew ? t('Create message') : t('Save message')}
                  </Button>
                </div>
              </Stack>
              </form>
            }
            side={
              <Stack gap="400">
                <Preview templates={copy} channel={draft.channel} />
                <TestSend id={params.id} disabled={isNew || dirty} language={lang} />
              </Stack>
            }
          />
        </div>
      )}
    </Page>
  );
}
