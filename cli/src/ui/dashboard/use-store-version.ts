import { useEffect, useState } from 'react';
import type { DashboardStore } from '../../services/dashboard/dashboard-store.ts';

/** Re-renders the component when the store changes; subscribes in an effect, unsubscribes on unmount. */
export function useStoreVersion(store: DashboardStore): number {
  const [version, setVersion] = useState(() => store.version());
  useEffect(() => {
    setVersion(store.version());
    return store.subscribe(() => setVersion(store.version()));
  }, [store]);
  return version;
}
