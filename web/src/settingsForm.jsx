// A settings document editor: renders whatever fields the server returns, with labels, widgets and help for
// the fields we know, shows a 422's `field` error next to that field, and sends back the whole document.
import { useEffect, useMemo, useState } from 'react';
import { api } from './api.js';
import { humanize } from './format.js';
import { useResource } from './hooks.js';
import {
  Button,
  Checkbox,
  ErrorBanner,
  Fields,
  Heading,
  LoadingCards,
  SaveBar,
  Section,
  Select,
  Stack,
  Text,
  TextField,
  useToast,
} from './ui/index.js';
import { msg, t } from './i18n.js';

// normalizePath turns "rewards[0].points_cost", "rewards.0.points_cost" or "/rewards/0/points_cost" into
// "rewards.0.points_cost", the form's own path spelling.
export function normalizePath(field) {
  return String(field || '')
    .replace(/^\//, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\//g, '.')
    .replace(/^\./, '');
}

function getIn(obj, path) {
  return path.reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

function setIn(obj, path, value) {
  if (path.length === 0) return value;
  const [k, ...rest] = path;
  const copy = Array.isArray(obj) ? obj.slice() : { ...(obj || {}) };
  copy[k] = setIn(copy[k], rest, value);
  return copy;
}

const isNumText = (s) => /^-?\d+(\.\d+)?$/.test(String(s).trim());

// coerce converts edited text back to the types of the template (the loaded document or a new item's
// defaults); it reports fields that cannot be converted instead of sending them.
function coerce(value, template, path, problems) {
  if (typeof template === 'number') {
    if (typeof value === 'number') return value;
    if (isNumText(value)) return Number(value);
    problems[path.join('.')] = t('Enter a number');
    return value;
  }
  if (Array.isArray(template)) {
    if (typeof value === 'string') {
      const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
      const numeric = template.length === 0 || typeof template[0] === 'number';
      if (numeric) {
        if (parts.some((p) => !isNumText(p))) {
          problems[path.join('.')] = t('Enter numbers separated by commas');
          return value;
        }
        return parts.map(Number);
      }
      return parts;
    }
    if (!Array.isArray(value)) return value;
    return value.map((v, i) => coerce(v, template[i] !== undefined ? template[i] : template[0], [...path, i], problems));
  }
  if (template && typeof template === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    const out = {};
    for (const k of Object.keys(value)) out[k] = coerce(value[k], template[k], [...path, k], problems);
    return out;
  }
  return value;
}

function FieldError({ path, message }) {
  return <span data-testid={`field-error-${path}`}>{message}</span>;
}

function labelFor(spec, key) {
  return spec && spec.label ? t(spec.label) : humanize(key);
}

// Field renders one value by its spec, or by its type when the server sent a field we do not know yet.
function Field({ path, value, spec, specs, errors, onChange, itemKey, soleInGroup }) {
  const key = itemKey || path[path.length - 1];
  const p = path.join('.');
  const err = errors[p] ? <FieldError path={p} message={errors[p]} /> : undefined;
  const label = labelFor(spec, key);
  const set = (v) => onChange(path, v);
  if (spec && spec.options) {
    return (
      <Select
        label={label}
        options={spec.options.map(([v, l]) => ({ value: v, label: t(l) }))}
        value={value}
        onChange={set}
        error={err}
        help={spec.help && t(spec.help)}
        testId={`field-${p}`}
      />
    );
  }
  if (typeof value === 'boolean') {
    return <Checkbox label={label} checked={value} onChange={set} help={spec && spec.help && t(spec.help)} error={err} testId={`field-${p}`} />;
  }
  if (Array.isArray(value) && (value.length === 0 ? spec && spec.item : typeof value[0] === 'object')) {
    return <ListField path={path} value={value} spec={spec || {}} specs={specs} errors={errors} onChange={onChange} soleInGroup={soleInGroup} />;
  }
  if (Array.isArray(value) || (spec && spec.type === 'list')) {
    return (
      <TextField
        label={label}
        value={Array.isArray(value) ? value.join(', ') : value}
        onChange={set}
        error={err}
        help={t((spec && spec.help) || 'Separate values with commas')}
        testId={`field-${p}`}
      />
    );
  }
  if (value && typeof value === 'object') {
    const keys = orderKeys(value, spec && spec.fields);
    return (
      <fieldset className="bm-fieldset" data-testid={`field-${p}`}>
        <legend className={soleInGroup ? 'bm-visually-hidden' : undefined}>
          <Heading level={3}>{label}</Heading>
        </legend>
        {spec && spec.help && <Text muted size="small">{t(spec.help)}</Text>}
        {err && <Text tone="critical">{err}</Text>}
        <Fields>
          {keys.map((k) => (
            <Field
              key={k}
              path={[...path, k]}
              value={value[k]}
              spec={spec && spec.fields ? spec.fields[k] : undefined}
              specs={specs}
              errors={errors}
              onChange={onChange}
            />
          ))}
        </Fields>
      </fieldset>
    );
  }
  const numeric = typeof value === 'number' || (spec && (spec.type === 'number' || spec.type === 'integer'));
  return (
    <TextField
      label={label}
      type={numeric ? 'number' : (spec && spec.type) || 'text'}
      step={spec && spec.type === 'integer' ? 1 : spec && spec.step}
      min={spec && spec.min}
      suffix={spec && spec.suffix && t(spec.suffix)}
      value={value}
      onChange={set}
      error={err}
      help={spec && spec.help && t(spec.help)}
      testId={`field-${p}`}
    />
  );
}

function orderKeys(obj, known) {
  const order = known ? Object.keys(known) : [];
  const present = Object.keys(obj);
  return [...order.filter((k) => present.includes(k)), ...present.filter((k) => !order.includes(k))];
}

// soleInGroup: the section title already names the list, so its own legend is only for screen readers.
function ListField({ path, value, spec, specs, errors, onChange, soleInGroup }) {
  const p = path.join('.');
  const key = path[path.length - 1];
  const label = labelFor(spec, key);
  const itemLabel = t(spec.itemLabel || 'Item');
  const template = spec.newItem || (value[0] ? blankLike(value[0]) : {});
  return (
    <fieldset className="bm-fieldset" data-testid={`field-${p}`}>
      <legend className={soleInGroup ? 'bm-visually-hidden' : undefined}>
        <Heading level={3}>{label}</Heading>
      </legend>
      {spec.help && <Text muted size="small">{t(spec.help)}</Text>}
      {errors[p] && (
        <Text tone="critical">
          <FieldError path={p} message={errors[p]} />
        </Text>
      )}
      <Stack gap="300">
        {value.length === 0 && <Text muted>{t(spec.empty || 'None yet.')}</Text>}
        {value.map((item, i) => (
          <div key={i} className="bm-list-item" role="group" aria-label={`${itemLabel} ${i + 1}`}>
            <Fields>
              <Fields.Row>
                {orderKeys(item, spec.item).map((k) => (
                  <Field
                    key={k}
                    path={[...path, i, k]}
                    itemKey={k}
                    value={item[k]}
                    spec={spec.item ? spec.item[k] : undefined}
                    specs={specs}
                    errors={errors}
                    onChange={onChange}
                  />
                ))}
              </Fields.Row>
              <Button
                plain
                critical
                label={t('Remove {{item}} {{n}}', { item: itemLabel, n: i + 1 }) + (item.name ? ` (${item.name})` : '')}
                onClick={() => onChange(path, value.filter((_, j) => j !== i))}
              >
                {t('Remove')}
              </Button>
            </Fields>
          </div>
        ))}
        <div>
          <Button onClick={() => onChange(path, [...value, { ...template }])}>{t('Add {{item}}', { item: itemLabel })}</Button>
        </div>
      </Stack>
    </fieldset>
  );
}

function blankLike(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) out[k] = typeof v === 'number' ? 0 : typeof v === 'boolean' ? false : '';
  return out;
}

// SettingsForm loads `path` with GET and saves with PUT. groups: [{title, keys:[...]}]; specs: key → spec.
export function SettingsForm({ path, groups, specs, saveLabel = msg('Save'), savedMessage = msg('Settings saved'), testId, emptyHint }) {
  const toast = useToast();
  const { data, error, loading, reload, setData } = useResource(path);
  const [draft, setDraft] = useState(null);
  const [errors, setErrors] = useState({});
  const [failure, setFailure] = useState(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (data) {
      setDraft(data);
      setErrors({});
    }
  }, [data]);
  const templates = useMemo(() => {
    // New list items have no loaded counterpart; their spec's newItem tells the types.
    const tpl = { ...(data || {}) };
    for (const [k, s] of Object.entries(specs)) if (s.newItem && Array.isArray(tpl[k]) && tpl[k].length === 0) tpl[k] = [s.newItem];
    return tpl;
  }, [data, specs]);
  // Compared as typed values, so typing "5" back over 5 is not a change.
  const dirty = useMemo(
    () => draft !== null && JSON.stringify(coerce(draft, templates, [], {})) !== JSON.stringify(data),
    [draft, data, templates],
  );

  const onChange = (p, v) => {
    setDraft((d) => setIn(d, p, v));
    const key = p.join('.');
    if (errors[key]) setErrors(({ [key]: _, ...rest }) => rest);
  };

  const save = async () => {
    const problems = {};
    const doc = coerce(draft, templates, [], problems);
    setFailure(null);
    if (Object.keys(problems).length) {
      setErrors(problems);
      return;
    }
    setSaving(true);
    try {
      const saved = await api.put(path, doc);
      // Use the server's echo when it is the document (PUT may also answer 204 or a bare acknowledgement).
      const next = saved && typeof saved === 'object' && Object.keys(doc).some((k) => k in saved) ? saved : doc;
      setErrors({});
      // The saved document becomes the new baseline (and clears the dirty state).
      setData(next);
      toast(t(savedMessage));
    } catch (err) {
      if (err.status === 422 && err.field) {
        const f = normalizePath(err.field);
        setErrors({ [f]: err.message });
        if (!document.querySelector(`[data-testid="field-${CSS.escape(f)}"]`)) setFailure(err);
      } else {
        setFailure(err);
      }
    } finally {
      setSaving(false);
    }
  };

  if (loading && !draft) return <LoadingCards count={3} label={t('Loading settings')} />;
  if (error && !draft) return <ErrorBanner error={error} title={t('Settings could not be loaded')} onRetry={reload} />;
  if (!draft) return null;

  const known = new Set(groups.flatMap((g) => g.keys));
  const others = Object.keys(draft).filter((k) => !known.has(k));
  const allGroups = others.length ? [...groups, { title: msg('Other settings'), keys: others }] : groups;
  return (
    <form
      data-testid={testId}
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      noValidate
    >
      <SaveBar dirty={dirty} saving={saving} onSave={save} onDiscard={() => { setDraft(data); setErrors({}); }} />
      <Stack gap="400">
        <ErrorBanner error={failure} title={t('The settings were not saved')} onDismiss={() => setFailure(null)} />
        {emptyHint}
        {allGroups.map((g) => {
          const keys = g.keys.filter((k) => k in draft);
          if (!keys.length) return null;
          return (
            <Section key={g.title} title={t(g.title)}>
              {g.help && <Text muted>{t(g.help)}</Text>}
              <Fields>
                {keys.map((k) => (
                  <Field key={k} path={[k]} value={draft[k]} spec={specs[k]} specs={specs} errors={errors} onChange={onChange} soleInGroup={keys.length === 1} />
                ))}
              </Fields>
            </Section>
          );
        })}
        <div>
          <Button submit primary loading={saving} disabled={!dirty && !failure} testId="save-button">
            {t(saveLabel)}
          </Button>
        </div>
      </Stack>
    </form>
  );
}
