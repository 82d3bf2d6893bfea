// Table is a plain semantic table (caption, th scope) rather than Polaris DataTable, because browser tests and
// merchants both need rows that carry meaning: a row can expose data-testid and data-* attributes.
import { t } from '../i18n.js';

export function Table({ caption, columns, rows, rowKey = (r, i) => r.id ?? i, rowAttrs, testId, hideCaption = true }) {
  return (
    <div className="bm-table-wrap" data-testid={testId}>
      <table className="bm-table">
        <caption className={hideCaption ? 'bm-visually-hidden' : 'bm-table-caption'}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? 'bm-num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)} {...(rowAttrs ? rowAttrs(row) : {})}>
              {columns.map((c, ci) => {
                const content = c.render ? c.render(row) : row[c.key];
                const Cell = ci === 0 && c.header !== false ? 'th' : 'td';
                return (
                  <Cell key={c.key} scope={Cell === 'th' ? 'row' : undefined} className={c.numeric ? 'bm-num' : undefined}>
                    {content === null || content === undefined || content === '' ? '—' : content}
                  </Cell>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// MoreButton loads the next cursor page of a list.
export function More({ hasMore, loading, onClick }) {
  if (!hasMore) return null;
  return (
    <div className="bm-center">
      <button type="button" className="bm-link-button" onClick={onClick} disabled={loading}>
        {loading ? t('Loading…') : t('Load more')}
      </button>
    </div>
  );
}

// LineErrors lists the lines of an import that were not taken, with the reason (nothing when none).
export function LineErrors({ caption, rows }) {
  if (!rows || rows.length === 0) return null;
  return (
    <Table
      caption={caption}
      hideCaption={false}
      columns={[
        { key: 'line', label: t('Line'), numeric: true },
        { key: 'reason', label: t('Reason'), header: false },
      ]}
      rows={rows}
      rowKey={(r, i) => `${r.line}-${i}`}
    />
  );
}
