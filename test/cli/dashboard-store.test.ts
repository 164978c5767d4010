import { describe, expect, it, vi } from 'vitest';
import type { Hold } from '../../cli/src/services/api/transactions-api.ts';
import {
  DashboardStore,
  EMIT_COALESCE_MS,
  FEED_SIZE_MAX,
  type WalletSnapshot,
} from '../../cli/src/services/dashboard/dashboard-store.ts';
import { HOLD_EXPIRY_GRACE_MS } from '../../cli/src/services/dashboard/open-holds.ts';
import type { WalletAfter, WalletEvent } from '../../cli/src/services/events/wallet-event.ts';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const wallet = (n: number, balanceMinor: bigint, seq = 1, heldMinor = 0n): WalletSnapshot => ({
  userId: id(n),
  balanceMinor,
  heldMinor,
  availableMinor: balanceMinor - heldMinor,
  status: 'active',
  seq,
  createdAt: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.${String(n).padStart(6, '0')}Z`,
});
const atSeq = (n: number, seq: number, balanceMinor: bigint, heldMinor = 0n): WalletAfter => ({
  userId: id(n),
  seq,
  balanceMinor,
  heldMinor,
  availableMinor: balanceMinor - heldMinor,
});
let offset = 0;
const meta = () => {
  offset += 1;
  return { partition: 0, offset: String(offset), occurredAt: '2026-01-02T00:00:00Z' };
};

const transfer = (from: WalletAfter, to: WalletAfter, amountMinor: bigint): WalletEvent => ({
  ...meta(),
  topic: 'money-transferred',
  type: 'money-transferred',
  transferId: id(999),
  fromUserId: from.userId,
  toUserId: to.userId,
  amountMinor,
  fromBalanceMinor: from.balanceMinor,
  toBalanceMinor: to.balanceMinor,
  wallets: [from, to],
});
const deposit = (
  to: WalletAfter,
  amountMinor: bigint,
  type: 'money-added' | 'money-withdrawn' = 'money-added',
): WalletEvent => ({
  ...meta(),
  topic: type,
  type,
  transactionId: id(998),
  userId: to.userId,
  amountMinor,
  balanceMinor: to.balanceMinor,
  wallets: [to],
});
const holdEvent = (
  type: 'hold-created' | 'hold-voided' | 'hold-expired',
  holdN: number,
  sender: WalletAfter,
  toN: number,
  amountMinor: bigint,
  occurredAt = '2026-01-02T00:00:00Z',
): WalletEvent => ({
  ...meta(),
  occurredAt,
  topic: type,
  type,
  holdId: id(holdN),
  fromUserId: sender.userId,
  toUserId: id(toN),
  amountMinor,
  expiresAt: '2026-01-02T00:15:00Z',
  wallets: [sender],
});
const statusEvent = (
  n: number,
  type: 'wallet-frozen' | 'wallet-unfrozen' | 'wallet-closed',
  occurredAt: string,
): WalletEvent => ({
  ...meta(),
  occurredAt,
  topic: type,
  type,
  userId: id(n),
  status: type === 'wallet-frozen' ? 'frozen' : type === 'wallet-closed' ? 'closed' : 'active',
  reason: 'checks',
});
const balancesOf = (store: DashboardStore) =>
  store.visibleRows(0, 100).map((row) => [row.seq, row.balanceMinor, row.heldMinor, row.availableMinor]);

describe('the dashboard store', () => {
  it('Given a snapshot, When a transfer event arrives, Then both rows take the balances after it and the total stays exact', () => {
    // Given
    const store = new DashboardStore();
    store.addWallets([wallet(1, 1_000n), wallet(2, 30n)]);
    store.nameUsers([{ user_id: id(1), email: 'a@x.io' }]);
    // When
    store.applyEvent(transfer(atSeq(1, 2, 990n), atSeq(2, 2, 40n), 10n));
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

  it('Given a wallet at seq 5, When an older event (seq 4) arrives late, Then it is ignored: the balance never goes back', () => {
    // Given
    const store = new DashboardStore();
    store.addWallets([wallet(1, 500n, 5)]);
    // When
    store.applyEvent(deposit(atSeq(1, 4, 400n), 100n));
    // Then
    expect(balancesOf(store)).toEqual([[5, 500n, 0n, 500n]]);
    expect(store.total()).toBe(500n);
    expect(store.ordering()).toEqual({ staleIgnored: 1, seqsMissing: 0 });
    expect(store.feed()).toHaveLength(1); // still in the feed: it happened
  });

  it('Given a wallet at seq 5, When the next event (seq 6) arrives, Then it is applied', () => {
    const store = new DashboardStore();
    store.addWallets([wallet(1, 500n, 5)]);
    store.applyEvent(deposit(atSeq(1, 6, 200n), 300n, 'money-withdrawn'));
    expect(balancesOf(store)).toEqual([[6, 200n, 0n, 200n]]);
    expect(store.visibleRows(0, 1)[0]!.lastChangeMinor).toBe(-300n);
    expect(store.total()).toBe(200n);
    expect(store.ordering()).toEqual({ staleIgnored: 0, seqsMissing: 0 });
  });

  it('Given events applied, When an older snapshot page arrives, Then the events’ balances stay; a newer page wins', () => {
    // Given
    const store = new DashboardStore();
    store.applyEvent(deposit(atSeq(1, 3, 700n), 500n));
    store.applyEvent(deposit(atSeq(2, 3, 300n), 100n));
    // When
    store.addWallets([wallet(1, 200n, 2), wallet(2, 350n, 4)]);
    // Then
    expect(balancesOf(store)).toEqual([
      [3, 700n, 0n, 700n],
      [4, 350n, 0n, 350n],
    ]);
    expect(store.total()).toBe(1_050n);
  });

  it('Given a wallet at seq 2, When seq 5 arrives, Then 3 and 4 are missing; a late 3 fills one, a snapshot at 5 the rest', () => {
    // Given
    const store = new DashboardStore();
    store.addWallets([wallet(1, 100n, 2)]);
    // When
    store.applyEvent(deposit(atSeq(1, 5, 400n), 100n));
    // Then
    expect(store.ordering().seqsMissing).toBe(2);
    store.applyEvent(deposit(atSeq(1, 3, 200n), 100n));
    expect(store.ordering()).toEqual({ staleIgnored: 1, seqsMissing: 1 });
    expect(store.visibleRows(0, 1)[0]!.balanceMinor).toBe(400n);
    store.addWallets([wallet(1, 400n, 5)]);
    expect(store.ordering().seqsMissing).toBe(0);
  });

  it('Given a hold placed (seq 2) before its wallet’s deposit (seq 1) arrives, When both are applied, Then held and available are the hold’s', () => {
    // Given: the deposit and the hold travel on different topics, so the hold can come first.
    const store = new DashboardStore();
    store.addWallets([wallet(1, 0n, 0), wallet(2, 0n, 0)]);
    // When
    store.applyEvent(holdEvent('hold-created', 50, atSeq(1, 2, 1_000n, 300n), 2, 300n));
    store.applyEvent(deposit(atSeq(1, 1, 1_000n), 1_000n));
    // Then
    expect(balancesOf(store)[0]).toEqual([2, 1_000n, 300n, 700n]);
    expect(store.totalHeld()).toBe(300n);
    expect(store.holds().map((hold) => hold.holdId)).toEqual([id(50)]);
  });

  it('Given a capture touching both wallets, When applied, Then the sender loses the money and the hold, the receiver gains it', () => {
    const store = new DashboardStore();
    store.addWallets([wallet(1, 1_000n, 2, 300n), wallet(2, 0n, 0)]);
    store.addHolds([pendingHold(50, 1, 2, 300n)]);
    store.applyEvent({
      ...meta(),
      topic: 'hold-captured',
      type: 'hold-captured',
      holdId: id(50),
      fromUserId: id(1),
      toUserId: id(2),
      amountMinor: 300n,
      expiresAt: '2026-01-02T00:15:00Z',
      transferId: id(60),
      capturedMinor: 200n,
      releasedMinor: 100n,
      wallets: [atSeq(1, 3, 800n), atSeq(2, 1, 200n)],
    });
    expect(balancesOf(store)).toEqual([
      [3, 800n, 0n, 800n],
      [1, 200n, 0n, 200n],
    ]);
    expect(store.total()).toBe(1_000n);
    expect(store.totalHeld()).toBe(0n);
    expect(store.holds()).toEqual([]);
  });

  it('Given open holds, When listed, Then newest first; a void that came before its hold keeps it from ever opening', () => {
    // Given
    const store = new DashboardStore();
    store.applyEvent(holdEvent('hold-voided', 52, atSeq(1, 4, 1_000n), 2, 10n));
    // When
    store.applyEvent(holdEvent('hold-created', 51, atSeq(1, 2, 1_000n, 5n), 2, 5n, '2026-01-02T00:00:01Z'));
    store.applyEvent(holdEvent('hold-created', 52, atSeq(1, 3, 1_000n, 15n), 2, 10n, '2026-01-02T00:00:02Z'));
    store.addHolds([pendingHold(53, 3, 2, 7n, '2026-01-02T00:00:03Z'), pendingHold(52, 1, 2, 10n)]);
    // Then
    expect(store.holds().map((hold) => hold.holdId)).toEqual([id(53), id(51)]);
    expect(balancesOf(store)[0]).toEqual([4, 1_000n, 0n, 1_000n]);
    store.applyEvent(holdEvent('hold-expired', 51, atSeq(1, 5, 1_000n), 2, 5n));
    expect(store.holds().map((hold) => hold.holdId)).toEqual([id(53)]);
  });

  it('Given a hold whose end never arrives, When the clock passes its expiry by the grace, Then the list drops it', () => {
    let nowMs = Date.parse('2026-01-02T00:00:00Z');
    const store = new DashboardStore({ now: () => nowMs });
    store.addHolds([pendingHold(50, 1, 2, 10n)]);
    store.tick();
    expect(store.holds()).toHaveLength(1);
    nowMs = Date.parse('2026-01-02T00:15:00Z') + HOLD_EXPIRY_GRACE_MS + 1;
    store.tick();
    expect(store.holds()).toHaveLength(0);
  });

  it('Given status events out of order, When applied, Then the latest by time wins and a snapshot does not undo it', () => {
    // Given
    const store = new DashboardStore();
    store.addWallets([wallet(1, 100n)]);
    // When: the unfreeze (a different topic) arrives before the freeze that preceded it
    store.applyEvent(statusEvent(1, 'wallet-unfrozen', '2026-01-02T00:00:02Z'));
    store.applyEvent(statusEvent(1, 'wallet-frozen', '2026-01-02T00:00:01Z'));
    // Then
    expect(store.visibleRows(0, 1)[0]!.status).toBe('active');
    store.applyEvent(statusEvent(1, 'wallet-frozen', '2026-01-02T00:00:03Z'));
    store.addWallets([wallet(1, 100n)]); // a page read before the freeze
    expect(store.visibleRows(0, 1)[0]!.status).toBe('frozen');
    store.applyEvent(statusEvent(1, 'wallet-closed', '2026-01-02T00:00:04Z'));
    expect(store.visibleRows(0, 1)[0]!.status).toBe('closed');
    expect(store.ordering().staleIgnored).toBe(1);
  });

  it('Given a snapshot page with a frozen wallet, When added, Then the row is frozen', () => {
    const store = new DashboardStore();
    store.addWallets([{ ...wallet(1, 100n), status: 'frozen' }]);
    expect(store.visibleRows(0, 1)[0]!.status).toBe('frozen');
  });

  it('Given a reversal and a charge-back, When applied, Then balances follow the events and the total drops by the charge-back', () => {
    const store = new DashboardStore();
    store.addWallets([wallet(1, 1_000n, 1), wallet(2, 500n, 1)]);
    store.applyEvent({
      ...meta(),
      topic: 'transfer-reversed',
      type: 'transfer-reversed',
      reversalId: id(70),
      transferId: id(71),
      fromUserId: id(2),
      toUserId: id(1),
      amountMinor: 100n,
      reason: null,
      wallets: [atSeq(2, 2, 400n), atSeq(1, 2, 1_100n)],
    });
    store.applyEvent({
      ...meta(),
      topic: 'deposit-reversed',
      type: 'deposit-reversed',
      reversalId: id(72),
      transactionId: id(73),
      userId: id(1),
      amountMinor: 50n,
      reason: 'charge-back',
      wallets: [atSeq(1, 3, 1_050n)],
    });
    expect(balancesOf(store)).toEqual([
      [3, 1_050n, 0n, 1_050n],
      [2, 400n, 0n, 400n],
    ]);
    expect(store.total()).toBe(1_450n);
  });

  it('Given user-created, When applied, Then a named row with 0.00 at seq 0 appears, and its first deposit (seq 1) applies', () => {
    const store = new DashboardStore();
    store.applyEvent({
      ...meta(),
      topic: 'user-created',
      type: 'user-created',
      userId: id(3),
      email: 'new@x.io',
    });
    expect(store.visibleRows(0, 5)).toMatchObject([
      { userId: id(3), email: 'new@x.io', balanceMinor: 0n, seq: 0 },
    ]);
    store.applyEvent(deposit(atSeq(3, 1, 25n), 25n));
    expect(store.visibleRows(0, 5)).toMatchObject([{ balanceMinor: 25n, lastChangeMinor: 25n, seq: 1 }]);
    expect(store.ordering()).toEqual({ staleIgnored: 0, seqsMissing: 0 });
  });

  it('Given 100,000 wallets, When a window is read and filtered, Then it is a slice', () => {
    // Given
    const store = new DashboardStore();
    const wallets = Array.from({ length: 100_000 }, (_, n) => wallet(n, BigInt(n)));
    for (let page = 0; page < wallets.length; page += 500) store.addWallets(wallets.slice(page, page + 500));
    store.nameUsers(wallets.map((row, n) => ({ user_id: row.userId, email: `user${n}@example.com` })));
    // When
    const window = store.visibleRows(50_000, 20);
    store.setFilter('user4242');
    const filtered = store.visibleRows(0, 20);
    // Then
    expect(window).toHaveLength(20);
    expect(store.total()).toBe((99_999n * 100_000n) / 2n);
    expect(filtered.map((row) => row.email)).toContain('user4242@example.com');
    expect(store.rowCount()).toBe(11); // user4242 and user42420..user42429
  });

  it('Given a filter typed key by key, When keys are removed, names and wallets arrive, Then the rows are always those whose email contains it', () => {
    // Given
    const store = new DashboardStore();
    store.addWallets([wallet(1, 1n), wallet(2, 2n), wallet(3, 3n)]);
    store.nameUsers([
      { user_id: id(1), email: 'Ann@x.io' },
      { user_id: id(2), email: 'anna@x.io' },
    ]);
    const emails = () => store.visibleRows(0, 10).map((row) => row.email ?? row.userId);
    // When: typing narrows, upper case matches lower
    for (const text of ['a', 'an', 'ann', 'anna']) store.setFilter(text);
    // Then
    expect(emails()).toEqual(['anna@x.io']);
    // When: a key removed widens again
    store.setFilter('ann');
    expect(emails()).toEqual(['Ann@x.io', 'anna@x.io']);
    // When: a name and a wallet arrive while filtered
    store.setFilter('anna');
    store.nameUsers([{ user_id: id(3), email: 'joanna@x.io' }]);
    expect(emails()).toEqual(['anna@x.io', 'joanna@x.io']);
    store.addWallets([wallet(4, 4n)]);
    store.nameUsers([{ user_id: id(4), email: 'hanna@x.io' }]);
    store.setFilter('annaz');
    expect(emails()).toEqual([]);
    store.setFilter('');
    expect(store.rowCount()).toBe(4);
    // When: a user id (no email yet) matches on its id
    store.addWallets([wallet(5, 5n)]);
    store.setFilter(id(5).slice(-6));
    expect(emails()).toEqual([id(5)]);
  });

  it('Given a subscriber, When nothing changes, Then it hears nothing; When many things change, Then it hears once', async () => {
    vi.useFakeTimers();
    try {
      const store = new DashboardStore();
      const listener = vi.fn();
      store.subscribe(listener);
      store.setHealth('kafka', 'unknown'); // same as before: no change
      store.setFilter('');
      store.addHolds([]);
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

  it('Given events arriving all the time, When heard, Then at most once per EMIT_COALESCE_MS, but a typed filter at once', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    try {
      // Given
      const store = new DashboardStore();
      const listener = vi.fn();
      store.subscribe(listener);
      store.addWallets([wallet(1, 1n)]);
      vi.advanceTimersByTime(1);
      expect(listener).toHaveBeenCalledTimes(1); // after a quiet spell: at once
      // When: a change every millisecond
      for (let ms = 0; ms < EMIT_COALESCE_MS * 3; ms++) {
        store.applyEvent(deposit(atSeq(1, ms + 2, BigInt(ms)), 1n));
        vi.advanceTimersByTime(1);
      }
      // Then
      expect(listener.mock.calls.length).toBeGreaterThanOrEqual(3);
      expect(listener.mock.calls.length).toBeLessThanOrEqual(4);
      // When: the person types while events keep it waiting
      const heard = listener.mock.calls.length;
      store.applyEvent(deposit(atSeq(1, 10_000, 1n), 1n));
      store.setFilter('x');
      vi.advanceTimersByTime(1);
      expect(listener).toHaveBeenCalledTimes(heard + 1);
      // and the feed holds the newest events, newest first
      expect(store.feed()).toHaveLength(FEED_SIZE_MAX);
      expect(store.feed()[0]!.event).toMatchObject({ wallets: [{ seq: 10_000 }] });
      expect(store.feed()[1]!.event).toMatchObject({ wallets: [{ seq: EMIT_COALESCE_MS * 3 + 1 }] });
    } finally {
      vi.useRealTimers();
    }
  });
});

function pendingHold(
  holdN: number,
  fromN: number,
  toN: number,
  amountMinor: bigint,
  createdAt = '2026-01-02T00:00:00Z',
): Hold {
  return {
    holdId: id(holdN),
    fromUserId: id(fromN),
    toUserId: id(toN),
    amountMinor,
    capturedMinor: null,
    status: 'pending',
    expiresAt: '2026-01-02T00:15:00Z',
    createdAt,
    resolvedAt: null,
    transferId: null,
  };
}
