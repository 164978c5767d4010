import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DashboardActions } from '../../cli/src/services/dashboard/dashboard-actions.ts';
import { DashboardStore } from '../../cli/src/services/dashboard/dashboard-store.ts';
import { Dashboard } from '../../cli/src/ui/dashboard/Dashboard.tsx';

const FRAME_WAIT_MS = 3_000;
const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const meta = { partition: 0, offset: '1', occurredAt: '2026-01-02T10:11:12Z' };

/**
 * Renders the dashboard in an 80×24 terminal (ink-testing-library's stdout, given rows), with
 * actions recorded instead of sent.
 */
function renderDashboard(size = { columns: 80, rows: 24 }) {
  const store = new DashboardStore();
  const actions: DashboardActions = { addMoney: vi.fn(async () => {}), transfer: vi.fn(async () => {}) };
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
    view.store.addWallets([
      { userId: id(1), balanceMinor: 1_050n, createdAt: '2026-01-01T00:00:01Z' },
      { userId: id(2), balanceMinor: 20n, createdAt: '2026-01-01T00:00:02Z' },
    ]);
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
    view.store.addWallets([
      { userId: id(1), balanceMinor: 1_000n, createdAt: '2026-01-01T00:00:01Z' },
      { userId: id(2), balanceMinor: 0n, createdAt: '2026-01-01T00:00:02Z' },
    ]);
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
    });
    // Then
    const frame = await frameContaining(view.lastFrame, 'alice@example.com → bob@example.com 2.50');
    expect(frame).toMatch(/alice@example\.com\s+7\.50\s+-2\.50/);
    expect(frame).toMatch(/bob@example\.com\s+2\.50\s+\+2\.50/);
  });

  it('Given many rows, When PgDn is pressed, Then the window moves, and / filters by email', async () => {
    const view = renderDashboard();
    unmount = view.unmount;
    view.store.addWallets(
      Array.from({ length: 200 }, (_, n) => ({
        userId: id(n),
        balanceMinor: BigInt(n * 100),
        createdAt: `2026-01-01T00:00:00.${String(n).padStart(3, '0')}Z`,
      })),
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
      Array.from({ length: 60 }, (_, n) => ({
        userId: id(n),
        balanceMinor: 0n,
        createdAt: `2026-01-01T00:00:${String(n).padStart(2, '0')}Z`,
      })),
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
});
