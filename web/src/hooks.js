import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api.js';

// useResource loads one GET endpoint and reloads when the path or query changes.
// version forces a reload without adding anything to the request.
export function useResource(path, query, version = 0) {
  const key = path ? path + '?' + JSON.stringify(query || {}) + '#' + version : null;
  const [state, setState] = useState({ data: null, error: null, loading: !!path });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!key) return undefined;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    api
      .get(path, query, { signal: ctl.signal })
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((error) => {
        if (error.name !== 'AbortError') setState({ data: null, error, loading: false });
      });
    return () => ctl.abort();
    // key captures path and query.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((fn) => setState((s) => ({ ...s, data: typeof fn === 'function' ? fn(s.data) : fn })), []);
  return { ...state, reload, setData };
}

// useList pages through a cursor-paginated list: itemsKey names the array in the response.
export function useList(path, query, itemsKey) {
  const key = path + '?' + JSON.stringify(query || {});
  const [state, setState] = useState({ items: [], cursor: null, loading: true, error: null, more: false });
  const [tick, setTick] = useState(0);
  const ctlRef = useRef(null);
  useEffect(() => {
    const ctl = new AbortController();
    ctlRef.current = ctl;
    setState({ items: [], cursor: null, loading: true, error: null, more: false });
    api
      .get(path, query, { signal: ctl.signal })
      .then((data) =>
        setState({ items: (data && data[itemsKey]) || [], cursor: data && data.next_cursor, loading: false, error: null, more: false }),
      )
      .catch((error) => {
        if (error.name !== 'AbortError') setState({ items: [], cursor: null, loading: false, error, more: false });
      });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);
  const stateRef = useRef(state);
  stateRef.current = state;
  const loadMore = useCallback(() => {
    const s = stateRef.current;
    if (!s.cursor || s.more) return;
    setState((p) => ({ ...p, more: true }));
    api
      .get(path, { ...(query || {}), cursor: s.cursor }, { signal: ctlRef.current && ctlRef.current.signal })
      .then((data) =>
        setState((p) => ({ ...p, items: p.items.concat((data && data[itemsKey]) || []), cursor: data && data.next_cursor, more: false })),
      )
      .catch((error) => {
        if (error.name !== 'AbortError') setState((p) => ({ ...p, more: false, error }));
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const update = useCallback((fn) => setState((s) => ({ ...s, items: fn(s.items) })), []);
  return { ...state, hasMore: !!state.cursor, loadMore, reload, update };
}

export function useDebounced(value, ms) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

// useAction runs one request at a time for a form: busy while it runs, and the error it threw
// (cleared when the next run starts) for an ErrorBanner. run resolves to fn's result, or
// undefined when fn threw.
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = useCallback(async (fn) => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (ex) {
      setError(ex);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, setError };
}
