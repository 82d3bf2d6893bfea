// Toasts go to App Bridge when the page runs inside Shopify admin, otherwise to a Polaris Toast.
import { Toast } from '@shopify/polaris';
import { createContext, useCallback, useContext, useState } from 'react';
import { insideShopify } from '../api.js';

const ToastContext = createContext(() => {});

export function ToastHost({ children }) {
  const [toast, setToast] = useState(null);
  const show = useCallback((message, { error = false } = {}) => {
    if (insideShopify() && window.shopify.toast) {
      window.shopify.toast.show(message, { isError: error });
      return;
    }
    setToast({ message, error, key: Date.now() });
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      {toast && <Toast key={toast.key} content={toast.message} error={toast.error} onDismiss={() => setToast(null)} />}
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
