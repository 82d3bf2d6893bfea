import { Link as PolarisLink, Text as PolarisText } from '@shopify/polaris';

export function Heading({ children, level = 3, testId }) {
  return (
    <Wrap testId={testId}>
      <PolarisText as={`h${level}`} variant={level <= 2 ? 'headingMd' : 'headingSm'}>
        {children}
      </PolarisText>
    </Wrap>
  );
}

export function Text({ children, muted, bold, tone, size, as = 'p', testId, mono }) {
  const content = mono ? <code className="bm-mono">{children}</code> : children;
  return (
    <Wrap testId={testId}>
      <PolarisText
        as={as}
        tone={muted ? 'subdued' : tone}
        fontWeight={bold ? 'semibold' : undefined}
        variant={size === 'large' ? 'headingXl' : size === 'small' ? 'bodySm' : 'bodyMd'}
      >
        {content}
      </PolarisText>
    </Wrap>
  );
}

function Wrap({ testId, children }) {
  return testId ? <div data-testid={testId}>{children}</div> : children;
}

// Metric is one figure of the scorecard: a label, a big value and an optional hint.
export function Metric({ label, value, hint, testId }) {
  return (
    <div className="bm-metric" data-testid={testId}>
      <PolarisText as="h3" variant="headingSm" tone="subdued">
        {label}
      </PolarisText>
      <PolarisText as="p" variant="heading2xl">
        {value}
      </PolarisText>
      {hint && (
        <PolarisText as="p" variant="bodySm" tone="subdued">
          {hint}
        </PolarisText>
      )}
    </div>
  );
}

// Link goes through AppProvider's linkComponent, so internal URLs navigate inside the single page.
export function Link({ url, children, external, label }) {
  return (
    <PolarisLink url={url} target={external ? '_blank' : undefined} accessibilityLabel={label}>
      {children}
    </PolarisLink>
  );
}
