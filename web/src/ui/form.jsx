// Form controls. Every control takes a visible label (or labelHidden with the same accessible name) and an
// optional error that Polaris renders next to the field and links with aria-describedby.
import {
  Button as PolarisButton,
  ButtonGroup,
  Checkbox as PolarisCheckbox,
  FormLayout,
  Select as PolarisSelect,
  TextField as PolarisTextField,
} from '@shopify/polaris';
import { useId, useRef } from 'react';
import { t } from '../i18n.js';

export function Button({ children, onClick, primary, critical, plain, loading, disabled, submit, url, testId, label, size }) {
  const button = (
    <PolarisButton
      onClick={onClick}
      variant={primary ? 'primary' : plain ? 'plain' : undefined}
      tone={critical ? 'critical' : undefined}
      loading={loading}
      disabled={disabled}
      submit={submit}
      url={url}
      accessibilityLabel={label}
      size={size}
    >
      {children}
    </PolarisButton>
  );
  return testId ? (
    <span data-testid={testId} className="bm-contents">
      {button}
    </span>
  ) : (
    button
  );
}

export function Buttons({ children }) {
  return <ButtonGroup>{children}</ButtonGroup>;
}

export function Fields({ children }) {
  return <FormLayout>{children}</FormLayout>;
}

Fields.Row = function FieldsRow({ children }) {
  return <FormLayout.Group condensed>{children}</FormLayout.Group>;
};

export function TextField({
  label,
  value,
  onChange,
  error,
  help,
  type = 'text',
  multiline,
  mono,
  labelHidden,
  placeholder,
  suffix,
  prefix,
  min,
  max,
  step,
  name,
  disabled,
  testId,
  autoComplete = 'off',
  clearable,
}) {
  const field = (
    <PolarisTextField
      label={label}
      labelHidden={labelHidden}
      value={value === null || value === undefined ? '' : String(value)}
      onChange={onChange}
      error={error || undefined}
      helpText={help}
      type={type}
      multiline={multiline}
      monospaced={mono}
      placeholder={placeholder}
      suffix={suffix}
      prefix={prefix}
      min={min}
      max={max}
      step={step}
      name={name}
      disabled={disabled}
      autoComplete={autoComplete}
      clearButton={clearable}
      onClearButtonClick={clearable ? () => onChange('') : undefined}
    />
  );
  return testId ? <div data-testid={testId}>{field}</div> : field;
}

export function Select({ label, value, onChange, options, error, help, labelHidden, disabled, testId }) {
  const field = (
    <PolarisSelect
      label={label}
      labelHidden={labelHidden}
      value={value === null || value === undefined ? '' : String(value)}
      onChange={onChange}
      options={options.map((o) => (typeof o === 'string' ? { label: o, value: o } : o))}
      error={error || undefined}
      helpText={help}
      disabled={disabled}
    />
  );
  return testId ? <div data-testid={testId}>{field}</div> : field;
}

export function Checkbox({ label, checked, onChange, help, error, disabled, testId }) {
  const box = (
    <PolarisCheckbox label={label} checked={!!checked} onChange={onChange} helpText={help} error={error || undefined} disabled={disabled} />
  );
  return testId ? <div data-testid={testId}>{box}</div> : box;
}

// CodeField is a template editor with a line-number gutter; errorLine highlights the line a 422 named.
export function CodeField({ label, value, onChange, error, errorLine, rows = 8, testId, errorTestId, help, inputRef, onFocus }) {
  const id = useId();
  const gutter = useRef(null);
  const lines = Math.max(rows, (value || '').split('\n').length);
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  return (
    <div className="bm-code" data-testid={testId}>
      <label className="bm-code-label" htmlFor={id}>
        {label}
      </label>
      <div className={`bm-code-box${error ? ' bm-code-box--error' : ''}`}>
        <div className="bm-code-gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <div key={i} className={errorLine === i + 1 ? 'bm-code-gutter-error' : undefined}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          id={id}
          ref={inputRef}
          onFocus={onFocus}
          className="bm-code-input"
          value={value || ''}
          rows={rows}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.target.scrollTop;
          }}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={[error ? errorId : null, help ? helpId : null].filter(Boolean).join(' ') || undefined}
        />
      </div>
      {help && (
        <p className="bm-code-help" id={helpId}>
          {help}
        </p>
      )}
      {error && (
        <p className="bm-code-error" id={errorId} role="alert" data-testid={errorTestId}>
          {errorLine ? t('Line {{line}}: ', { line: errorLine }) : ''}
          {error}
        </p>
      )}
    </div>
  );
}

// FileInput is a labelled native file picker: keyboard and screen-reader friendly without extra code.
export function FileInput({ label, accept, onChange, help, testId }) {
  const id = useId();
  return (
    <div className="bm-file" data-testid={testId}>
      <label htmlFor={id} className="bm-code-label">
        {label}
      </label>
      <input id={id} type="file" accept={accept} onChange={(e) => onChange(e.target.files && e.target.files[0])} />
      {help && <p className="bm-code-help">{help}</p>}
    </div>
  );
}
