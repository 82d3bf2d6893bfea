// Page structure: page, sections (cards), columns and stacks.
import {
  BlockStack,
  Box,
  Card,
  InlineGrid,
  InlineStack,
  Layout,
  Page as PolarisPage,
  Text,
} from '@shopify/polaris';

// Page renders the h1 title; testId marks the page for browser tests (data-testid="page-<name>").
export function Page({ title, subtitle, testId, back, primaryAction, secondaryActions, children, wide }) {
  return (
    <div data-testid={testId}>
      <PolarisPage
        title={title}
        subtitle={subtitle}
        fullWidth={!!wide}
        backAction={back ? { content: back.label, url: back.url } : undefined}
        primaryAction={
          primaryAction
            ? {
                content: primaryAction.label,
                onAction: primaryAction.onClick,
                url: primaryAction.url,
                loading: primaryAction.loading,
                disabled: primaryAction.disabled,
              }
            : undefined
        }
        secondaryActions={secondaryActions?.map((a) => ({ content: a.label, onAction: a.onClick, url: a.url }))}
      >
        <BlockStack gap="400">{children}</BlockStack>
      </PolarisPage>
    </div>
  );
}

export function Section({ title, actions, children, testId }) {
  return (
    <div data-testid={testId}>
      <Card>
        <BlockStack gap="300">
          {(title || actions) && (
            <InlineStack align="space-between" blockAlign="center" gap="200">
              {title && (
                <Text as="h2" variant="headingMd">
                  {title}
                </Text>
              )}
              {actions && <InlineStack gap="200">{actions}</InlineStack>}
            </InlineStack>
          )}
          {children}
        </BlockStack>
      </Card>
    </div>
  );
}

export function Columns({ children, count = 2 }) {
  return (
    <InlineGrid columns={{ xs: 1, md: count }} gap="400">
      {children}
    </InlineGrid>
  );
}

export function Stack({ children, gap = '300', horizontal, align, wrap = true }) {
  if (horizontal) {
    return (
      <InlineStack gap={gap} align={align} blockAlign="center" wrap={wrap}>
        {children}
      </InlineStack>
    );
  }
  return <BlockStack gap={gap}>{children}</BlockStack>;
}

export function Split({ main, side }) {
  return (
    <Layout>
      <Layout.Section>{main}</Layout.Section>
      <Layout.Section variant="oneThird">{side}</Layout.Section>
    </Layout>
  );
}

export function Inset({ children }) {
  return <Box paddingBlockStart="200">{children}</Box>;
}
