// Loaded on demand (see Charts.jsx): polaris-viz and its d3/react-spring dependencies stay out of first load.
// polaris-viz's SVG markup fails axe (role="table" without rows, unnamed role="img" points), so the drawing is
// hidden from assistive tech and the keyboard (inert: the line chart has focusable points that would otherwise
// sit inside aria-hidden) and the same numbers are given as a visually hidden table.
import { BarChart, LineChart, PolarisVizProvider } from '@shopify/polaris-viz';
import '@shopify/polaris-viz/build/esm/styles.css';
import { t } from '../i18n.js';

function DataTable({ label, series }) {
  const keys = [...new Set(series.flatMap((s) => s.data.map((d) => d.key)))];
  return (
    <table className="bm-visually-hidden">
      <caption>{label}</caption>
      <thead>
        <tr>
          <th scope="col">{t('Label')}</th>
          {series.map((s) => (
            <th key={s.name} scope="col">
              {s.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            {series.map((s) => {
              const d = s.data.find((x) => x.key === k);
              return <td key={s.name}>{d ? d.value : ''}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Frame({ label, series, children, height = 260 }) {
  return (
    <figure className="bm-chart">
      <div aria-hidden="true" {...{ inert: '' }} style={{ height }} data-testid="chart">
        <PolarisVizProvider>{children}</PolarisVizProvider>
      </div>
      <DataTable label={label} series={series} />
    </figure>
  );
}

// series: [{name, data: [{key, value}]}]
export function LineChartView({ label, series, height }) {
  return (
    <Frame label={label} series={series} height={height}>
      <LineChart data={series} theme="Light" isAnimated={false} showLegend={series.length > 1} />
    </Frame>
  );
}

// integers: the values are counts, so the axis has no fractional ticks.
export function BarChartView({ label, series, height, integers }) {
  return (
    <Frame label={label} series={series} height={height}>
      <BarChart
        data={series}
        theme="Light"
        isAnimated={false}
        showLegend={series.length > 1}
        yAxisOptions={integers ? { integersOnly: true } : undefined}
      />
    </Frame>
  );
}
