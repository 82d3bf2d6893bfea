// ExportButton downloads a list as CSV, with the filters the page shows.
import { useState } from 'react';
import { downloadFile } from '../api.js';
import { Button, ErrorBanner, Stack } from '../ui/index.js';
import { t } from '../i18n.js';

export function ExportButton({ path, query, filename, children, testId }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await downloadFile(path, query, filename);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="200">
      <ErrorBanner error={error} title={t('The export could not be downloaded')} onDismiss={() => setError(null)} />
      <div>
        <Button onClick={run} loading={busy} testId={testId}>
          {children}
        </Button>
      </div>
    </Stack>
  );
}
