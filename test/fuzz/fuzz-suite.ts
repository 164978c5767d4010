import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { encodeQuery, oddString } from './arbitraries.ts';
import { type FuzzTarget, type RawRequest, sendRaw, useFuzzTarget } from './fuzz-target.ts';
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
   * Sends, tallies the status, checks the answer's form, and that no balance moved unless
   * `moneyMayMove` allows it for that status.
   */
  sendAndJudge(raw: RawRequest): Promise<void>;
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
  const url = () => (spec.service === 'users' ? target.usersUrl : target.transactionsUrl);
  let knownIds: string[] = [];
  let knownEmails: string[] = [];

  beforeAll(async () => {
    knownIds = target.known.map((user) => user.userId);
    knownEmails = target.known.map((user) => user.email);
  });

  return {
    target,
    url,
    knownIds: () => knownIds,
    knownEmails: () => knownEmails,
    async sendAndJudge(raw) {
      const before = await target.balances();
      const response = await sendRaw(url(), raw);
      statuses.record(response.status);
      expectWellFormed(raw, response);
      if (!spec.moneyMayMove(response.status)) {
        expect(await target.balances(), `${raw.path} ${response.status} changed a balance`).toEqual(before);
      }
    },
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
