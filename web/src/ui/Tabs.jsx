import { Tabs as PolarisTabs } from '@shopify/polaris';

// Tabs switches between panels of one page; tabs is [{id, label}].
export function Tabs({ tabs, selected, onSelect, children }) {
  const index = Math.max(0, tabs.findIndex((t) => t.id === selected));
  return (
    <PolarisTabs
      tabs={tabs.map((t) => ({ id: `tab-${t.id}`, content: t.label, panelID: `panel-${t.id}` }))}
      selected={index}
      onSelect={(i) => onSelect(tabs[i].id)}
    >
      <div id={`panel-${tabs[index].id}`} role="tabpanel" aria-labelledby={`tab-${tabs[index].id}`} className="bm-tabpanel">
        {children}
      </div>
    </PolarisTabs>
  );
}
