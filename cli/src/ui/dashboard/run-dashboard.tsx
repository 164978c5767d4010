import { render } from 'ink';
import { isCliError } from '../../cli-error.ts';
import type { WalletApis } from '../../services/api/wallet-apis.ts';
import type { CliSettings } from '../../services/config/cli-settings.ts';
import { createDashboardActions } from '../../services/dashboard/dashboard-actions.ts';
import { DashboardStore } from '../../services/dashboard/dashboard-store.ts';
import { pollHealth } from '../../services/dashboard/health-poller.ts';
import { loadSnapshot } from '../../services/dashboard/load-snapshot.ts';
import { replicasBehind } from '../../services/dashboard/replica-targets.ts';
import { type EventTail, tailEvents } from '../../services/events/tail-events.ts';
import { FOLLOWED_TOPICS } from '../../services/events/wallet-event.ts';
import { Dashboard } from './Dashboard.tsx';

export const TICK_INTERVAL_MS = 1_000;

/**
 * Runs the dashboard until the person presses q (or Ctrl-C): live events first (so nothing that
 * happens during the initial load is missed), then the snapshot, health polls, a 1 s tick.
 */
export async function runDashboard(settings: CliSettings, apis: WalletApis): Promise<void> {
  const store = new DashboardStore();
  const abort = new AbortController();
  const actions = createDashboardActions(apis, store, abort.signal);
  const app = render(<Dashboard store={store} actions={actions} />, {
    alternateScreen: true,
    exitOnCtrlC: true,
    // The dashboard command only gets here on a terminal; ink would otherwise turn live
    // rendering off whenever CI=true is set, even in a real terminal.
    interactive: true,
  });
  const stopHealth = pollHealth(apis, store, () => replicasBehind(settings));
  const ticker = setInterval(() => store.tick(), TICK_INTERVAL_MS);
  const tail = await startTail(settings, store);
  void loadSnapshot(apis, store, abort.signal);
  try {
    await app.waitUntilExit();
  } finally {
    abort.abort();
    clearInterval(ticker);
    stopHealth();
    await tail?.stop();
  }
}

async function startTail(settings: CliSettings, store: DashboardStore): Promise<EventTail | undefined> {
  if (!settings.kafkaBrokers) {
    store.setHealth('kafka', 'down');
    store.setStatus({
      kind: 'error',
      text: 'no Kafka brokers known: no live updates (pass --kafka-brokers)',
    });
    return undefined;
  }
  store.setStatus({ kind: 'info', text: 'connecting to Kafka…' });
  try {
    const tail = await tailEvents({
      brokers: settings.kafkaBrokers,
      namespace: settings.namespace,
      topics: FOLLOWED_TOPICS,
      fromBeginning: false,
      follow: true,
      onEvent: (event) => store.applyEvent(event),
    });
    store.setHealth('kafka', 'up');
    store.setStatus(undefined);
    tail.done.catch(() => store.setHealth('kafka', 'down'));
    return tail;
  } catch (error) {
    store.setHealth('kafka', 'down');
    store.setStatus({
      kind: 'error',
      text: isCliError(error) ? `${error.code}: ${error.message}` : String(error),
    });
    return undefined;
  }
}
