import { describe, expect, it, vi } from 'vitest';
import { DashboardStore, EMIT_COALESCE_MS } from '../../cli/src/services/dashboard/dashboard-store.ts';
import type { WalletEvent } from '../../cli/src/services/events/wallet-event.ts';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const wallet = (n: number, balanceMinor: bigint) => ({
  userId: id(n),
  balanceMinor,
  createdAt: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.${String(n).padStart(6, '0')}Z`,
});
const meta = { partition: 0, offset: '1', occurredAt: '2026-01-02T00:00:00Z' };
const transfer = (
  from: number,
  to: number,
  amountMinor: bigint,
  fromBalanceMinor: bigint,
  toBalanceMinor: bigint,
): WalletEvent => ({
  ...meta,
  topic: 'money-transferred',
  type: 'money-transferred',
  transferId: id(999),
  fromUserId: id(from),
  toUserId: id(to),
  amountMinor,
  fromBalanceMinor,
  toBalanceMinor,
});

describe('the dashboard store', () => {
  it('Given a snapshot, When a transfer event arrives, Then both rows take the balances after it and the total stays exact', () => {
    // Given
    const store = new DashboardStore();
    store.addWallets([wallet(1, 1_000n), wallet(2, 30n)]);
    store.nameUsers([{ user_id: id(1), email: 'a@x.io' }]);
    // When
    store.applyEvent(transfer(1, 2, 10n, 990n, 40n));
    // Then
    expect(store.visibleRows(0, 10).map((row) => [row.email, row.balanceMinor, row.lastChangeMinor])).toEqual(
      [
        ['a@x.io', 990n, -10n],
        [undefined, 40n, 10n],
      ],
    );
    expect(store.total()).toBe(1_030n);
    expect(store.feed()).toHaveLength(1);
  });

  it('Given an event already applied, When an older snapshot page arrives, Then the event’s balance stays', () => {
    const store = new DashboardStore();
    store.applyEvent({
      ...meta,
      topic: 'money-added',
      type: 'money-added',
      transactionId: id(5),
      userId: id(1),
      amountMinor: 500n,
      balanceMinor: 700n,
    });
    store.addWallets([wallet(1, 200n)]);
    expect(store.visibleRows(0, 1)[0]!.balanceMinor).toBe(700n);
    expect(store.total()).toBe(700n);
  });

  it('Given user-created, When applied, Then a named row with 0.00 appears', () => {
    const store = new DashboardStore();
    store.applyEvent({
      ...meta,
      topic: 'user-created',
      type: 'user-created',
      userId: id(3),
      email: 'new@x.io',
    });
    expect(store.visibleRows(0, 5)).toMatchObject([{ userId: id(3), email: 'new@x.io', balanceMinor: 0n }]);
  });

  it('Given 100,000 wallets, When a window is read and filtered, Then it is a slice, fast', () => {
    // Given
    const store = new DashboardStore();
    const wallets = Array.from({ length: 100_000 }, (_, n) => wallet(n, BigInt(n)));
    const startedMs = performance.now();
    for (let page = 0; page < wallets.length; page += 500) store.addWallets(wallets.slice(page, page + 500));
    store.nameUsers(wallets.map((row, n) => ({ user_id: row.userId, email: `user${n}@example.com` })));
    // When
    const window = store.visibleRows(50_000, 20);
    store.setFilter('user4242');
    const filtered = store.visibleRows(0, 20);
    const elapsedMs = performance.now() - startedMs;
    // Then
    expect(window).toHaveLength(20);
    expect(store.total()).toBe((99_999n * 100_000n) / 2n);
    expect(filtered.map((row) => row.email)).toContain('user4242@example.com');
    expect(store.rowCount()).toBe(11); // user4242 and user42420..user42429
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it('Given a subscriber, When nothing changes, Then it hears nothing; When many things change, Then it hears once', async () => {
    vi.useFakeTimers();
    try {
      const store = new DashboardStore();
      const listener = vi.fn();
      store.subscribe(listener);
      store.setHealth('kafka', 'unknown'); // same as before: no change
      store.setFilter('');
      vi.advanceTimersByTime(EMIT_COALESCE_MS * 2);
      expect(listener).not.toHaveBeenCalled();
      store.setHealth('kafka', 'up');
      store.addWallets([wallet(1, 1n)]);
      store.setStatus({ kind: 'ok', text: 'done' });
      vi.advanceTimersByTime(EMIT_COALESCE_MS * 2);
      expect(listener).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
