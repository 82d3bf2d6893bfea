// SaveBar appears while a form has unsaved changes: App Bridge's <ui-save-bar> inside Shopify admin (which also
// guards navigation), Polaris' contextual save bar outside. Forms keep their own Save button as well.
import { ContextualSaveBar } from '@shopify/polaris';
import { useEffect, useId } from 'react';
import { insideShopify } from '../api.js';
import { t } from '../i18n.js';

export function SaveBar({ dirty, saving, onSave, onDiscard, message = t('Unsaved changes') }) {
  const id = 'save-bar-' + useId().replace(/[^a-zA-Z0-9]/g, '');
  const embedded = insideShopify() && window.shopify.saveBar;
  useEffect(() => {
    if (!embedded) return undefined;
    if (dirty) window.shopify.saveBar.show(id);
    else window.shopify.saveBar.hide(id);
    return () => window.shopify.saveBar.hide(id);
  }, [dirty, embedded, id]);
  if (embedded) {
    return (
      <ui-save-bar id={id}>
        <button variant="primary" onClick={onSave} {...(saving ? { loading: '' } : {})}>
          {t('Save')}
        </button>
        <button onClick={onDiscard}>{t('Discard')}</button>
      </ui-save-bar>
    );
  }
  if (!dirty) return null;
  return (
    <ContextualSaveBar
      message={message}
      saveAction={{ onAction: onSave, loading: saving, content: t('Save') }}
      discardAction={{ onAction: onDiscard, content: t('Discard') }}
    />
  );
}
