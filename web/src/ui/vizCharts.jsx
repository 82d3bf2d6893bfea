// Loaded on demand (see Charts.jsx): polaris-viz and its d3/react-spring dependencies stay out of first load.
import { BarChart, LineChart, PolarisVizProvider } from '@shopify/polaris-viz';
import '@shopify/polaris-viz/build/esm/styles.css';

function Frame({ label, children, height = 260 }) {
  return (
    <figure className="bm-chart" aria-label={label} style={{ height }}>
      <PolarisVizProvider>{children}</PolarisVizProvider>
    </figure>
  );
}

// series: [{name, data: [{key, value}]}]
export function LineChartView({ label, series }) {
  return (
    <Frame label={label}>
      <LineChart data={series} theme="Light" isAnimated={false} showLegend={series.length > 1} />
    </Frame>
  );
}

export function BarChartView({ label, series, horizontal }) {
  return (
    <Frame label={label}>
      <BarChart
        data={series}
        theme="Light"
        isAnimated={false}
        direction={horizontal ? 'horizontal' : 'vertical'}
        showLegend={series.length > 1}
      />
    </Frame>
  );
}
