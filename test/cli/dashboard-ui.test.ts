import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DashboardActions } from '../../cli/src/services/dashboard/dashboard-actions.ts';
import { DashboardStore, type WalletSnapshot } from '../../cli/src/services/dashboard/dashboard-store.ts';
import type { WalletAfter } from '../../cli/src/services/events/wallet-event.ts';
import { Dashboard } from '../../cli/src/ui/dashboard/Dashboard.tsx';

const FRAME_WAIT_MS = 3_000;
const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const meta = { partition: 0, offset: '1', occurredAt: '2026-01-02T10:11:12Z' };
const snapshot = (n: number, balanceMinor: bigint, more: Partial<WalletSnapshot> = {}): WalletSnapshot => ({
  userId: id(n),
  balanceMinor,
  heldMinor: 0n,
  availableMinor: balanceMinor - (more.heldMinor ?? 0n),
  status: 'active',
  seq: 1,
  createdAt: `2026-01-01T00:00:0${n}Z`,
  ...more,
});
const atSeq = (n: number, seq: number, balanceMinor: bigint, heldMinor = 0n): WalletAfter => ({
  userId: id(n),
  seq,
  balanceMinor,
  heldMinor,
  availableMinor: balanceMinor - heldMinor,
});

/**
 * Renders the dashboard in an 80×24 terminal (ink-testing-library's stdout, given rows), with
 * actions recorded instead of sent.
 */
function renderDashboard(size = { columns: 80, rows: 24 }) {
  const store = new DashboardStore();
  const actions: DashboardActions = {
    addMoney: vi.fn(async () => {}),
    withdraw: vi.fn(async () => {}),
    transfer: vi.fn(async () => {}),
    hold: vi.fn(async () => {}),
    lookUpHolds: vi.fn(),
  };
  const view = render(createElement(Dashboard, { store, actions }));
  resize(view.stdout, size);
  return { store, actions, ...view };
}

function resize(stdout: NodeJS.EventEmitter, size: { columns: number; rows: number }) {
  Object.defineProperty(stdout, 'columns', { value: size.columns, configurable: true });
  Object.defineProperty(stdout, 'rows', { value: size.rows, configurable: true });
  stdout.emit('resize');
}

async function frameContaining(lastFrame: () => string | undefined, text: string): Promise<string> {
  await vi.waitFor(() => expect(lastFrame()).toContain(text), { timeout: FRAME_WAIT_MS, interval: 20 });
  return lastFrame()!;
}

const typed = async (stdin: { write(data: string): void }, text: string) => {
  for (const char of text) {
    stdin.write(char);
    await new Promise((done) => setTimeout(done, 5));
  }
};

describe('the dashboard (ink)', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => unmount?.());

  it('Given wallets and names in the store, When rendered, Then balances with two decimals and the exact total', async () => {
    // Given
    const view = renderDashboard();
    unmount = view.unmount;
    // When
    view.store.addWallets([snapshot(1, 1_050n), snapshot(2, 20n)]);
    view.store.nameUsers([
      { user_id: id(1), email: 'alice@example.com' },
      { user_id: id(2), email: 'bob@example.com' },
    ]);
    view.store.finishLoading();
    // Then
    const frame = await frameContaining(view.lastFrame, 'bob@example.com');
    expect(frame).toMatch(/alice@example\.com\s+10\.50/);
    expect(frame).toMatch(/bob@example\.com\s+0\.20/);
    expect(frame).toContain('total 10.70');
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
    expect(Math.max(...frame.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
  });

  it('Given a row, When a transfer event arrives, Then the row updates and the feed shows it', async () => {
    const view = renderDashboard();
    unmount = view.unmount;
    view.store.addWallets([snapshot(1, 1_000n), snapshot(2, 0n, { seq: 0 })]);
    view.store.nameUsers([
      { user_id: id(1), email: 'alice@example.com' },
      { user_id: id(2), email: 'bob@example.com' },
    ]);
    // When
    view.store.applyEvent({
      ...meta,
      topic: 'money-transferred',
      type: 'money-transferred',
      transferId: id(9),
      fromUserId: id(1),
      toUserId: id(2),
      amountMinor: 250n,
      fromBalanceMinor: 750n,
      toBalanceMinor: 250n,
      wallets: [atSeq(1, 2, 750n), atSeq(2, 1, 250n)],
    });
    // Then
    const frame = await frameContaining(view.lastFrame, 'alice@example.com → bob@example.com 2.50');
    expect(frame).toMatch(/alice@example\.com\s+7\.50\s+7\.50\s+-2\.50/);
    expect(frame).toMatch(/bob@example\.com\s+2\.50\s+2\.50\s+\+2\.50/);
  });

  it('Given many rows, When PgDn is pressed, Then the window moves, and / filters by email', async () => {
    const view = renderDashboard();
    unmount = view.unmount;
    view.store.addWallets(
      Array.from({ length: 200 }, (_, n) =>
        snapshot(n, BigInt(n * 100), { createdAt: `2026-01-01T00:00:00.${String(n).padStart(3, '0')}Z` }),
      ),
    );
    view.store.nameUsers(
      Array.from({ length: 200 }, (_, n) => ({ user_id: id(n), email: `user${n}@example.com` })),
    );
    await frameContaining(view.lastFrame, 'of 200');
    // When
    view.stdin.write('\u001b[6~'); // PgDn
    const paged = await frameContaining(view.lastFrame, 'user12@example.com');
    expect(paged).not.toContain('user0@example.com ');
    await typed(view.stdin, '/user19');
    await frameContaining(view.lastFrame, 'filter by email: user19');
    view.stdin.write('\r');
    const filtered = await frameContaining(view.lastFrame, 'of 11');
    // Then
    expect(filtered).toContain('user199@example.com');
    expect(filtered).not.toContain('user12@example.com');
  });

  it('Given the t key, When the form is filled, Then transfer is called with what was typed', async () => {
    const view = renderDashboard();
    unmount = view.unmount;
    await frameContaining(view.lastFrame, 'q quit');
    // When
    view.stdin.write('t');
    await frameContaining(view.lastFrame, 'from (email or id)');
    await typed(view.stdin, 'a@x.io\tb@x.io\t12.5');
    view.stdin.write('\r');
    // Then
    await vi.waitFor(() => expect(view.actions.transfer).toHaveBeenCalledWith('a@x.io', 'b@x.io', '12.5'), {
      timeout: FRAME_WAIT_MS,
    });
    await frameContaining(view.lastFrame, 'recent events');
  });

  it('Given a terminal that grows, When resized, Then more rows show', async () => {
    const view = renderDashboard();
    unmount = view.unmount;
    view.store.addWallets(
      Array.from({ length: 60 }, (_, n) =>
        snapshot(n, 0n, { createdAt: `2026-01-01T00:00:${String(n).padStart(2, '0')}Z` }),
      ),
    );
    const small = await frameContaining(view.lastFrame, 'of 60');
    // When
    resize(view.stdout, { columns: 120, rows: 50 });
    // Then
    await vi.waitFor(
      () => expect(view.lastFrame()!.split('\n').length).toBeGreaterThan(small.split('\n').length + 10),
      { timeout: FRAME_WAIT_MS },
    );
  });

  it('Given health changes, When polled, Then each part shows up or down', async () => {
    const view = renderDashboard();
    unmount = view.unmount;
    view.store.setHealth('userService', 'up');
    view.store.setHealth('kafka', 'down');
    const frame = await frameContaining(view.lastFrame, 'kafka down');
    expect(frame).toContain('users up');
    expect(frame).toContain('transactions unknown');
  });
  it('Given held money and stopped wallets, When rendered, Then balance, held, available and the status show on each row', async () => {
    // Given
    const view = renderDashboard();
    unmount = view.unmount;
    // When
    view.store.addWallets([
      snapshot(1, 1_000n, { heldMinor: 300n }),
      snapshot(2, 500n, { status: 'frozen' }),
      snapshot(3, 0n, { status: 'closed' }),
    ]);
    view.store.nameUsers([
      { user_id: id(1), email: 'alice@example.com' },
      { user_id: id(2), email: 'bob@example.com' },
      { user_id: id(3), email: 'carol@example.com' },
    ]);
    // Then
    const frame = await frameContaining(view.lastFrame, 'carol@example.com');
    expect(frame).toMatch(/balance\s+held\s+available\s+last change\s+status/);
    expect(frame).toMatch(/alice@example\.com\s+10\.00\s+3\.00\s+7\.00\s*\n/);
    expect(frame).toMatch(/bob@example\.com\s+5\.00\s+5\.00\s+frozen/);
    expect(frame).toMatch(/carol@example\.com\s+0\.00\s+0\.00\s+closed/);
    expect(frame).toContain('held 3.00');
    expect(Math.max(...frame.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
  });

  it('Given a row at seq 3, When a late event (seq 2) arrives, Then the row keeps its balance and the feed still lists the event', async () => {
    const view = renderDashboard();
    unmount = view.unmount;
    view.store.addWallets([snapshot(1, 900n, { seq: 3 })]);
    view.store.nameUsers([{ user_id: id(1), email: 'alice@example.com' }]);
    // When
    view.store.applyEvent({
      ...meta,
      topic: 'money-withdrawn',
      type: 'money-withdrawn',
      transactionId: id(8),
      userId: id(1),
      amountMinor: 100n,
      balanceMinor: 400n,
      wallets: [atSeq(1, 2, 400n)],
    });
    // Then
    const frame = await frameContaining(view.lastFrame, 'money-withdrawn');
    expect(frame).toContain('alice@example.com -1.00 → 4.00');
    expect(frame).toMatch(/alice@example\.com\s+9\.00\s+9\.00/);
  });

  it('Given hold events, When Tab is pressed, Then the open holds show newest first and the wallets in view with money held are looked up', async () => {
    // Given
    const view = renderDashboard({ columns: 120, rows: 24 });
    unmount = view.unmount;
    view.store.addWallets([
      snapshot(1, 1_000n),
      snapshot(2, 0n, { seq: 0 }),
      snapshot(3, 50n, { heldMinor: 20n }),
    ]);
    view.store.nameUsers([
      { user_id: id(1), email: 'alice@example.com' },
      { user_id: id(2), email: 'bob@example.com' },
    ]);
    const hold = (holdN: number, amountMinor: bigint, heldMinor: bigint, seq: number, at: string) => ({
      ...meta,
      occurredAt: at,
      offset: String(holdN),
      topic: 'hold-created' as const,
      type: 'hold-created' as const,
      holdId: id(holdN),
      fromUserId: id(1),
      toUserId: id(2),
      amountMinor,
      expiresAt: '2026-01-02T10:26:12Z',
      wallets: [atSeq(1, seq, 1_000n, heldMinor)],
    });
    view.store.applyEvent(hold(41, 250n, 250n, 2, '2026-01-02T10:11:12Z'));
    view.store.applyEvent(hold(42, 125n, 375n, 3, '2026-01-02T10:11:13Z'));
    const feed = await frameContaining(view.lastFrame, 'hold-created');
    expect(feed).toContain('alice@example.com → bob@example.com 1.25 until 10:26:12 (available 6.25)');
    expect(feed).toMatch(/alice@example\.com\s+10\.00\s+3\.75\s+6\.25/);
    // When
    view.stdin.write('\t');
    // Then
    const holds = await frameContaining(view.lastFrame, 'open holds');
    const lines = holds.split('\n');
    const newer = lines.findIndex((line) => line.includes('1.25 until 10:26:12'));
    const older = lines.findIndex((line) => line.includes('2.50 until 10:26:12'));
    expect(newer).toBeGreaterThan(0);
    expect(older).toBeGreaterThan(newer);
    expect(holds).toContain('2 pending');
    await vi.waitFor(() => expect(view.actions.lookUpHolds).toHaveBeenCalledWith([id(1), id(3)]), {
      timeout: FRAME_WAIT_MS,
    });
    view.stdin.write('\t');
    await frameContaining(view.lastFrame, 'recent events');
  });

  it('Given the w and h keys, When the forms are filled, Then withdraw and hold are called with what was typed', async () => {
    const view = renderDashboard();
    unmount = view.unmount;
    await frameContaining(view.lastFrame, 'q quit');
    // When
    view.stdin.write('w');
    await frameContaining(view.lastFrame, 'withdraw');
    await typed(view.stdin, 'a@x.io\t7.25');
    view.stdin.write('\r');
    // Then
    await vi.waitFor(() => expect(view.actions.withdraw).toHaveBeenCalledWith('a@x.io', '7.25'), {
      timeout: FRAME_WAIT_MS,
    });
    // When
    await frameContaining(view.lastFrame, 'recent events');
    view.stdin.write('h');
    const form = await frameContaining(view.lastFrame, 'expires');
    expect(form.split('\n').length).toBeLessThanOrEqual(23);
    await typed(view.stdin, 'a@x.io\tb@x.io\t3\t2h');
    view.stdin.write('\r');
    // Then
    await vi.waitFor(() => expect(view.actions.hold).toHaveBeenCalledWith('a@x.io', 'b@x.io', '3', '2h'), {
      timeout: FRAME_WAIT_MS,
    });
  });

  it('Given status events, When a wallet is frozen, Then its row and the feed say so', async () => {
    const view = renderDashboard();
    unmount = view.unmount;
    view.store.addWallets([snapshot(1, 100n)]);
    view.store.nameUsers([{ user_id: id(1), email: 'alice@example.com' }]);
    view.store.applyEvent({
      ...meta,
      topic: 'wallet-frozen',
      type: 'wallet-frozen',
      userId: id(1),
      status: 'frozen',
      reason: 'fraud check',
    });
    const frame = await frameContaining(view.lastFrame, 'wallet-frozen');
    expect(frame).toContain('alice@example.com frozen: fraud check');
    expect(frame).toMatch(/alice@example\.com\s+1\.00\s+1\.00\s+frozen/);
  });
});
