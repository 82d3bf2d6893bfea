import { lazy, Suspense } from 'react';
import { Spinner } from './feedback.jsx';

const LazyLine = lazy(() => import('./vizCharts.jsx').then((m) => ({ default: m.LineChartView })));
const LazyBar = lazy(() => import('./vizCharts.jsx').then((m) => ({ default: m.BarChartView })));

// Each chart also gets a text summary (a table or sentence) from its caller: the SVG is not the only way in.
export function LineChart(props) {
  return (
    <Suspense fallback={<Spinner label="Loading chart" />}>
      <LazyLine {...props} />
    </Suspense>
  );
}

export function BarChart(props) {
  return (
    <Suspense fallback={<Spinner label="Loading chart" />}>
      <LazyBar {...props} />
    </Suspense>
  );
}
