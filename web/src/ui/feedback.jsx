// Loading, empty, error and status display.
import {
  Badge as PolarisBadge,
  Banner,
  BlockStack,
  Card,
  ProgressBar as PolarisProgressBar,
  SkeletonBodyText,
  SkeletonDisplayText,
  Spinner as PolarisSpinner,
  Text,
} from '@shopify/polaris';
import { Button } from './form.jsx';
import { t } from '../i18n.js';

export function ErrorBanner({ error, title = t('Something went wrong'), onRetry, onDismiss }) {
  if (!error) return null;
  const message = typeof error === 'string' ? error : error.message;
  return (
    <div data-testid="error-banner">
      <Banner
        tone="critical"
        title={title}
        onDismiss={onDismiss}
        action={onRetry ? { content: t('Try again'), onAction: onRetry } : undefined}
      >
        <p>{message}</p>
      </Banner>
    </div>
  );
}

export function Notice({ title, tone = 'info', children, testId }) {
  return (
    <div data-testid={testId}>
      <Banner tone={tone} title={title}>
        {children}
      </Banner>
    </div>
  );
}

export function Spinner({ label = t('Loading') }) {
  return (
    <div className="bm-center" role="status">
      <PolarisSpinner accessibilityLabel={label} size="small" />
    </div>
  );
}

export function LoadingCards({ count = 2, label = t('Loading') }) {
  return (
    <div role="status" aria-label={label} aria-busy="true" data-testid="loading">
      <BlockStack gap="400">
        {Array.from({ length: count }, (_, i) => (
          <Card key={i}>
            <BlockStack gap="300">
              <SkeletonDisplayText size="small" />
              <SkeletonBodyText lines={3} />
            </BlockStack>
          </Card>
        ))}
      </BlockStack>
    </div>
  );
}

// Empty is the empty state: what this page is for and the first thing a new merchant should do.
export function Empty({ heading, children, action, testId = 'empty-state' }) {
  return (
    <div className="bm-empty" data-testid={testId}>
      <BlockStack gap="200" inlineAlign="center">
        <Text as="h3" variant="headingMd" alignment="center">
          {heading}
        </Text>
        {children && (
          <Text as="p" tone="subdued" alignment="center">
            {children}
          </Text>
        )}
        {action && (
          <Button primary url={action.url} onClick={action.onClick}>
            {action.label}
          </Button>
        )}
      </BlockStack>
    </div>
  );
}

const tones = {
  sent: 'success',
  published: 'success',
  positive: 'success',
  resolved: 'success',
  active: 'success',
  enabled: 'success',
  completed: 'success',
  held: 'critical',
  negative: 'critical',
  failed: 'critical',
  open: 'attention',
  cancelled: 'critical',
  deferred: 'warning',
  pending: 'attention',
  hidden: 'new',
  skipped: 'new',
  neutral: 'info',
  mixed: 'warning',
  paused: 'warning',
};

export function Badge({ children, tone, status }) {
  return <PolarisBadge tone={tone || tones[String(status || children).toLowerCase()]}>{children}</PolarisBadge>;
}

export function Progress({ value, label }) {
  return (
    <div aria-label={label} role="group">
      <PolarisProgressBar progress={Math.max(0, Math.min(100, value))} size="small" tone="primary" />
    </div>
  );
}
