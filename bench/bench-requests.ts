import { request } from 'undici';
import type { Request } from './load-loop.ts';

const REQUEST_TIMEOUT_MS = 10_000;

export type Answer = { status: number; json: unknown };
export type BenchUser = { userId: string; email: string };
export type ServiceUrls = { users: string; transactions: string };

/**
 * HTTP as the benchmark speaks it: every request carries the operator token (the services run
 * with auth on, as in production), and every answer other than the expected one is counted by
 * status and code for the error breakdown of the phase.
 */
export type BenchClient = {
  call(method: 'GET' | 'POST', url: string, body?: unknown, key?: string): Promise<Answer>;
  /** True on the expected status; otherwise counts the answer under "<status> <code>". */
  expect(answer: Answer, status: number): boolean;
  /** The unexpected answers since the last call, by "<status> <code>"; starts counting afresh. */
  takeUnexpected(): Record<string, number>;
};

export function createBenchClient(operatorToken: string): BenchClient {
  const unexpected = new Map<string, number>();
  return {
    async call(method, url, body, key) {
      const headers: Record<string, string> = { authorization: `Bearer ${operatorToken}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (key) headers['idempotency-key'] = key;
      try {
        const response = await request(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          // undici's own timers, not an AbortSignal.timeout per request: those (a signal, a timer
          // and a listener each) were a twentieth of the load generator's profile, CPU the
          // services and PostgreSQL then lack on a shared machine.
          headersTimeout: REQUEST_TIMEOUT_MS,
          bodyTimeout: REQUEST_TIMEOUT_MS,
        });
        return { status: response.statusCode, json: await response.body.json().catch(() => undefined) };
      } catch (error) {
        // No response: status 0, the error's name as the code, so it shows in the error breakdown.
        return { status: 0, json: { code: error instanceof Error ? error.name : 'Error' } };
      }
    },
    expect(answer, status) {
      if (answer.status === status) return true;
      const code = (answer.json as { code?: string } | undefined)?.code ?? '';
      const label = `${answer.status} ${code}`.trim();
      unexpected.set(label, (unexpected.get(label) ?? 0) + 1);
      return false;
    },
    takeUnexpected() {
      const counts = Object.fromEntries(unexpected);
      unexpected.clear();
      return counts;
    },
  };
}

export type OperationName = 'transferMoney' | 'addMoney' | 'getBalance' | 'createUser';

/** One request of each measured operation, on random funded users. */
export function operationRequests(
  client: BenchClient,
  urls: ServiceUrls,
  users: readonly BenchUser[],
  runId: string,
): Record<OperationName, Request> {
  /** Unique across phases: a key reused with another body would be refused (422), not measured. */
  let keySequence = 0;
  const pick = () => users[Math.floor(Math.random() * users.length)]!;
  return {
    async transferMoney() {
      const source = pick();
      let target = pick();
      while (target.userId === source.userId) target = pick();
      const body = { from_user_id: source.userId, to_user_id: target.userId, amount: '0.01' };
      const key = `${runId}-t-${keySequence++}`;
      return client.expect(await client.call('POST', `${urls.transactions}/transferMoney`, body, key), 200);
    },
    async addMoney() {
      const body = { user_id: pick().userId, amount: '1.00' };
      const key = `${runId}-a-${keySequence++}`;
      return client.expect(await client.call('POST', `${urls.transactions}/addMoney`, body, key), 200);
    },
    async getBalance() {
      const query = new URLSearchParams({ email: pick().email });
      return client.expect(await client.call('GET', `${urls.users}/getBalance?${query}`), 200);
    },
    async createUser() {
      const email = `new-${runId}-${keySequence++}@example.com`;
      return client.expect(await client.call('POST', `${urls.users}/createUser`, { email }), 201);
    },
  };
}
