import { lazy, Suspense } from 'react';
import { Spinner } from './feedback.jsx';
import { t } from '../i18n.js';

const LazyLine = lazy(() => import('./vizCharts.jsx').then((m) => ({ default: m.LineChartView })));
const LazyBar = lazy(() => import('./vizCharts.jsx').then((m) => ({ default: m.BarChartView })));

// Each chart also gets a text summary (a table or sentence) from its caller: the SVG is not the only way in.
export function LineChart(props) {
  return (
    <Suspense fallback={<Spinner label={t('Loading chart')} />}>
      <LazyLine {...props} />
    </Suspense>
  );
}

export function BarChart(props) {
  return (
    <Suspense fallback={<Spinner label={t('Loading chart')} />}>
      <LazyBar {...props} />
    </Suspense>
  );
}

// BarList ranks a few counts as labelled bars in plain HTML. It replaces a horizontal chart, which
// sizes its bars to the box and spills its axis onto whatever follows; here the numbers stay text.
// items: [{key, label, value}]; format turns a value into its display text.
export function BarList({ label, items, format = String, testId }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <figure className="bm-barlist" data-testid={testId}>
      <figcaption className="bm-table-caption">{label}</figcaption>
      <ul>
        {items.map((i) => (
          <li key={i.key}>
            <span className="bm-barlist-label">{i.label}</span>
            <span className="bm-barlist-track" aria-hidden="true">
              <span style={{ width: `${(Math.max(0, i.value) / max) * 100}%` }} />
            </span>
            <span className="bm-barlist-value">{format(i.value)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
