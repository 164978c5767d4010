import { describe, expect, it, vi } from 'vitest';
import type { Hold, Page } from '../../cli/src/services/api/transactions-api.ts';
import type { WalletApis } from '../../cli/src/services/api/wallet-apis.ts';
import { DashboardStore } from '../../cli/src/services/dashboard/dashboard-store.ts';
import {
  createHoldLookups,
  HOLD_LOOKUPS_AT_ONCE_MAX,
  HOLD_LOOKUPS_QUEUED_MAX,
} from '../../cli/src/services/dashboard/hold-lookups.ts';
import { OPEN_HOLDS_MAX, OpenHolds } from '../../cli/src/services/dashboard/open-holds.ts';
import { MISSING_SEQS_PER_WALLET_MAX, SeqGaps } from '../../cli/src/services/dashboard/seq-gaps.ts';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const pending = (holdN: number, fromN: number): Hold => ({
  holdId: id(holdN),
  fromUserId: id(fromN),
  toUserId: id(999),
  amountMinor: 100n,
  capturedMinor: null,
  status: 'pending',
  expiresAt: '2026-01-02T00:15:00Z',
  createdAt: `2026-01-02T00:00:${String(holdN % 60).padStart(2, '0')}Z`,
  resolvedAt: null,
  transferId: null,
});

/** A transactions API whose listHolds answers when the test says so, counting calls in flight. */
function fakeApis() {
  const answers: Array<{ userId: string; answer: (page: Page<Hold>) => void; fail: (error: Error) => void }> =
    [];
  let inFlight = 0;
  let inFlightMax = 0;
  const listHolds = vi.fn(
    (query: { userId: string }) =>
      new Promise<Page<Hold>>((resolve, reject) => {
        inFlight += 1;
        inFlightMax = Math.max(inFlightMax, inFlight);
        const settle = () => {
          inFlight -= 1;
        };
        answers.push({
          userId: query.userId,
          answer: (page) => {
            settle();
            resolve(page);
          },
          fail: (error) => {
            settle();
            reject(error);
          },
        });
      }),
  );
  const apis = { transactions: { listHolds } } as unknown as WalletApis;
  return { apis, listHolds, answers, inFlightMax: () => inFlightMax };
}

const settled = () => new Promise((done) => setTimeout(done, 0));

describe('the dashboard’s hold lookups', () => {
  it('Given wallets in view, When looked up twice, Then each is asked once, at most two at a time, and the pending holds land in the store', async () => {
    // Given
    const { apis, listHolds, answers, inFlightMax } = fakeApis();
    const store = new DashboardStore();
    const lookups = createHoldLookups(apis, store);
    // When
    lookups.lookUp([id(1), id(2), id(3)]);
    lookups.lookUp([id(1), id(2), id(3)]);
    // Then
    expect(listHolds).toHaveBeenCalledTimes(HOLD_LOOKUPS_AT_ONCE_MAX);
    expect(listHolds).toHaveBeenCalledWith({ userId: id(1), status: 'pending', limit: expect.any(Number) });
    while (answers.length > 0) {
      const next = answers.shift()!;
      next.answer({ items: [pending(Number(next.userId.slice(-3)) + 100, 1)], nextCursor: null });
      await settled();
    }
    expect(listHolds).toHaveBeenCalledTimes(3);
    expect(inFlightMax()).toBeLessThanOrEqual(HOLD_LOOKUPS_AT_ONCE_MAX);
    expect(store.holds().map((hold) => hold.holdId)).toEqual([id(103), id(102), id(101)]);
  });

  it('Given a lookup that fails, When the wallet is in view again, Then it is asked again', async () => {
    const { apis, listHolds, answers } = fakeApis();
    const lookups = createHoldLookups(apis, new DashboardStore());
    lookups.lookUp([id(1)]);
    answers.shift()!.fail(new Error('503'));
    await settled();
    lookups.lookUp([id(1)]);
    expect(listHolds).toHaveBeenCalledTimes(2);
  });

  it('Given fast scrolling past many wallets, When looked up, Then the queue keeps only the latest ones', async () => {
    const { apis, listHolds, answers } = fakeApis();
    const lookups = createHoldLookups(apis, new DashboardStore());
    lookups.lookUp(Array.from({ length: 500 }, (_, n) => id(n)));
    while (answers.length > 0) {
      answers.shift()!.answer({ items: [], nextCursor: null });
      await settled();
    }
    expect(listHolds).toHaveBeenCalledTimes(HOLD_LOOKUPS_QUEUED_MAX);
    expect(listHolds).toHaveBeenLastCalledWith(expect.objectContaining({ userId: id(499) }));
  });
});

describe('the dashboard’s bounded bookkeeping', () => {
  it('Given a jump of a million seqs, When noted, Then only the newest few are remembered as missing', () => {
    const gaps = new SeqGaps();
    gaps.jumped(id(1), 0, 1_000_001);
    expect(gaps.count()).toBe(MISSING_SEQS_PER_WALLET_MAX);
    expect(gaps.arrived(id(1), 1_000_000)).toBe(true);
    expect(gaps.arrived(id(1), 5)).toBe(false);
    expect(gaps.coveredUpTo(id(1), 1_000_001)).toBe(true);
    expect(gaps.count()).toBe(0);
  });

  it('Given more pending holds than the list keeps, When added, Then it stays at its limit', () => {
    const holds = new OpenHolds();
    for (let n = 0; n <= OPEN_HOLDS_MAX; n += 1) holds.add(pending(n, 1));
    expect(holds.count()).toBe(OPEN_HOLDS_MAX);
    expect(holds.list().some((hold) => hold.holdId === id(0))).toBe(false);
  });
});
