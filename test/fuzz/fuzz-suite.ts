import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { encodeQuery, oddString } from './arbitraries.ts';
import { type FuzzTarget, type RawRequest, type RawResponse, sendRaw, useFuzzTarget } from './fuzz-target.ts';
import { createMoneyTally } from './money-tally.ts';
import { expectWellFormed } from './response-rules.ts';
import { tallyStatuses } from './status-tally.ts';

// Modest run counts: each run is a real HTTP round trip and a balance read (getBalance also a
// NATS one); a file stays well under a minute on two cores.
export const RUNS_PER_PROPERTY = 60;
export const FUZZ_TEST_TIMEOUT_MS = 60_000;

export type FuzzSuite = {
  target: FuzzTarget;
  /** The base URL of the service under fuzz. */
  url(): string;
  /** The known users' ids and emails, readable once beforeAll ran. */
  knownIds(): string[];
  knownEmails(): string[];
  /**
   * Sends, tallies the status, checks the answer's form, that no wallet changed (balance, held,
   * status) unless `moneyMayMove` allows it for that status, and that Σ balances is still the
   * starting total plus what was acknowledged. `readOnly` says no answer of it may move money.
   */
  sendAndJudge(raw: RawRequest, options?: { readOnly?: boolean }): Promise<RawResponse>;
  /** Sends a request that sets the scene (a hold, a transfer …), counting any money it moves in or out. */
  send(raw: RawRequest): Promise<RawResponse>;
  /** Σ balances the acknowledged answers account for, in minor units. */
  expectedTotalMinor(): bigint;
  /** Checks the property RUNS_PER_PROPERTY times, then that it reached the routes' validation. */
  assertReachesValidation<Ts extends unknown[]>(property: fc.IAsyncProperty<Ts>): Promise<void>;
};

/**
 * The shared frame of a fuzz test file: the target, its known users, the status tally and the
 * judge every fuzzed request goes through. Call it inside the file's describe.
 */
export function useFuzzSuite(spec: {
  label: string;
  service: 'users' | 'transactions';
  /** Whether an answer with this status may have moved money (a user route never moves any). */
  moneyMayMove: (status: number) => boolean;
}): FuzzSuite {
  const target = useFuzzTarget(spec.label);
  const statuses = tallyStatuses();
  const tally = createMoneyTally();
  const url = () => (spec.service === 'users' ? target.usersUrl : target.transactionsUrl);
  let knownIds: string[] = [];
  let knownEmails: string[] = [];
  let startTotalMinor = 0n;

  beforeAll(async () => {
    knownIds = target.known.map((user) => user.userId);
    knownEmails = target.known.map((user) => user.email);
    startTotalMinor = await target.totalBalanceMinor();
  });

  const send = async (baseUrl: string, raw: RawRequest): Promise<RawResponse> => {
    const response = await sendRaw(baseUrl, raw);
    tally.record(raw, response);
    return response;
  };

  return {
    target,
    url,
    knownIds: () => knownIds,
    knownEmails: () => knownEmails,
    async sendAndJudge(raw, options = {}) {
      const before = await target.walletStates();
      const response = await send(url(), raw);
      statuses.record(response.status);
      expectWellFormed(raw, response);
      if (options.readOnly || !spec.moneyMayMove(response.status)) {
        expect(await target.walletStates(), `${raw.path} ${response.status} changed a wallet`).toEqual(
          before,
        );
      }
      expect(await target.totalBalanceMinor(), `${raw.path} ${response.status}: Σ balances`).toBe(
        startTotalMinor + tally.netMinor(),
      );
      return response;
    },
    send: (raw) => send(target.transactionsUrl, raw),
    expectedTotalMinor: () => startTotalMinor + tally.netMinor(),
    async assertReachesValidation(property) {
      await fc.assert(property, { numRuns: RUNS_PER_PROPERTY });
      statuses.expectValidationReached();
    },
  };
}

/** Registers the test that unknown routes and wrong methods, near the real paths too, answer problem+json. */
export function itAnswersUnknownRoutes(suite: FuzzSuite, realPaths: readonly string[]): void {
  it('unknown routes and methods answer problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'POST') as fc.Arbitrary<RawRequest['method']>,
        fc.oneof(
          oddString.map((text) => `/${encodeQuery(text)}`),
          fc.constantFrom(...realPaths),
        ),
        async (method, path) => {
          const raw: RawRequest = { method, path };
          expectWellFormed(raw, await sendRaw(suite.url(), raw));
        },
      ),
      { numRuns: RUNS_PER_PROPERTY },
    );
  });
}

/**
 * Registers the last test of a money fuzz file: after everything it sent, the ledger keeps every
 * money invariant (money-invariants.ts), and Σ balances is the starting total plus the
 * acknowledged deposits, minus the acknowledged withdrawals and deposit reversals.
 */
export function itKeepsTheMoneyInvariants(suite: FuzzSuite): void {
  it('after the fuzz run: Σ balances = start + acknowledged deposits − withdrawals − deposit reversals, 0 ≤ held ≤ balance, and the ledger adds up', async () => {
    expect(await suite.target.ledgerViolations()).toEqual([]);
    expect(await suite.target.totalBalanceMinor()).toBe(suite.expectedTotalMinor());
  });
}
