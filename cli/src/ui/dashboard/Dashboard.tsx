import { Box, useApp, useInput, useWindowSize } from 'ink';
import { useEffect, useState } from 'react';
import type { DashboardActions } from '../../services/dashboard/dashboard-actions.ts';
import type { DashboardStore } from '../../services/dashboard/dashboard-store.ts';
import { shortId } from '../event-line.ts';
import { BalanceTable } from './BalanceTable.tsx';
import { EventFeed } from './EventFeed.tsx';
import { FooterBar } from './FooterBar.tsx';
import { HealthBar } from './HealthBar.tsx';
import { HoldList } from './HoldList.tsx';
import { computeLayout } from './layout.ts';
import { type FormKind, MoneyForm } from './MoneyForm.tsx';
import { ReplicaList } from './ReplicaList.tsx';
import { TotalsBar } from './TotalsBar.tsx';
import { editText } from './text-input.ts';
import { useStoreVersion } from './use-store-version.ts';

type Mode = { kind: 'browse' } | { kind: 'filter' } | { kind: 'form'; form: FormKind };
/** What the lower part shows: the event feed or the open holds (Tab switches). */
type Panel = 'events' | 'holds';
const FORM_KEYS = new Map<string, FormKind>([
  ['a', 'add-money'],
  ['w', 'withdraw'],
  ['t', 'transfer'],
  ['h', 'hold'],
]);

export type DashboardProps = { store: DashboardStore; actions: DashboardActions; now?: () => number };

/**
 * The live dashboard: health (each replica's too, when load-balanced), totals, the visible window
 * of balances, the event feed or the open holds, keys.
 */
export function Dashboard({ store, actions, now = Date.now }: DashboardProps) {
  useStoreVersion(store);
  const { exit } = useApp();
  const { columns, rows } = useWindowSize();
  const [mode, setMode] = useState<Mode>({ kind: 'browse' });
  const [offset, setOffset] = useState(0);
  const [panel, setPanel] = useState<Panel>('events');
  const replicas = store.replicas();
  const layout = computeLayout(columns, rows, mode.kind === 'form', replicas.length);
  const count = store.rowCount();
  const maxOffset = Math.max(0, count - layout.tableRows);
  const first = Math.min(offset, maxOffset);
  const scrollTo = (next: number) => setOffset(Math.max(0, Math.min(next, maxOffset)));

  useInput(
    (input, key) => {
      if (mode.kind === 'filter') {
        if (key.escape) {
          store.setFilter('');
          setMode({ kind: 'browse' });
        } else if (key.return) setMode({ kind: 'browse' });
        else {
          store.setFilter(editText(store.filter(), input, key));
          setOffset(0);
        }
        return;
      }
      if (input === 'q') return exit();
      if (key.upArrow || input === 'k') return scrollTo(first - 1);
      if (key.downArrow || input === 'j') return scrollTo(first + 1);
      if (key.pageUp) return scrollTo(first - layout.tableRows);
      if (key.pageDown || input === ' ') return scrollTo(first + layout.tableRows);
      if (key.home || input === 'g') return scrollTo(0);
      if (key.end || input === 'G') return scrollTo(maxOffset);
      if (input === '/') return setMode({ kind: 'filter' });
      if (key.tab) return setPanel(panel === 'events' ? 'holds' : 'events');
      const form = FORM_KEYS.get(input);
      if (form) return setMode({ kind: 'form', form });
    },
    { isActive: mode.kind !== 'form' },
  );

  const submit = (form: FormKind, values: string[]) => {
    setMode({ kind: 'browse' });
    const [a = '', b = '', c = '', d = ''] = values.map((value) => value.trim());
    if (form === 'add-money') void actions.addMoney(a, b);
    else if (form === 'withdraw') void actions.withdraw(a, b);
    else if (form === 'transfer') void actions.transfer(a, b, c);
    else void actions.hold(a, b, c, d);
  };
  const visible = store.visibleRows(first, layout.tableRows);
  // The holds view asks for the pending holds of the wallets on screen that have money held.
  const heldInView = visible.filter((row) => row.heldMinor > 0n).map((row) => row.userId);
  const heldInViewKey = panel === 'holds' ? heldInView.join(',') : '';
  useEffect(() => {
    if (heldInViewKey !== '') actions.lookUpHolds(heldInViewKey.split(','));
  }, [heldInViewKey, actions]);
  const nameOf = (userId: string) => store.emailOf(userId) ?? shortId(userId);
  const filter = store.filter();
  return (
    <Box flexDirection="column" width={layout.width}>
      <HealthBar health={store.health()} />
      <ReplicaList replicas={replicas} rows={layout.replicaRows} />
      <TotalsBar
        userCount={store.userCount()}
        totalMinor={store.total()}
        heldMinor={store.totalHeld()}
        transfersPerSecond={store.transfersPerSecond()}
        seqsMissing={store.ordering().seqsMissing}
      />
      <BalanceTable
        rows={visible}
        emailWidth={layout.emailWidth}
        height={layout.tableRows}
        nowMs={now()}
        emptyText={filter ? `no email contains "${filter}"` : 'no wallets yet: wallet create-user <email>'}
      />
      {mode.kind === 'form' ? (
        <MoneyForm
          kind={mode.form}
          onSubmit={(values) => submit(mode.form, values)}
          onCancel={() => setMode({ kind: 'browse' })}
        />
      ) : panel === 'holds' ? (
        <HoldList holds={store.holds()} rows={layout.feedRows} nameOf={nameOf} />
      ) : (
        <EventFeed items={store.feed()} rows={layout.feedRows} nameOf={nameOf} />
      )}
      <FooterBar
        status={store.status()}
        load={store.load()}
        filtering={mode.kind === 'filter'}
        filter={filter}
        position={{ first: count === 0 ? 0 : first + 1, last: first + visible.length, count }}
      />
    </Box>
  );
}
