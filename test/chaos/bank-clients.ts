import { formatMinor } from '../../services/shared/src/money.ts';
import type { Operation } from './history.ts';
import type { HttpCall } from './http-attempt.ts';
import { ATTEMPT_TIMEOUT_MS, type OperationPlan, runOperation } from './operation-runner.ts';
import type { Random } from './seeded-random.ts';

/** Where the clients send requests: each service's replicas, spread round-robin by attempt. */
export type Endpoints = {
  users: readonly { name: string; url: string }[];
  transactions: readonly { name: string; url: string }[];
  /** Authorization header value, when the services require a token. */
  authorization?: string;
};

export type BankUser = { userId: string; email: string };

/** Shares operation ids and the recorded history among all clients of one run. */
export type Recorder = { nextId(): number; record(operation: Operation): void; count(): number };

export function createRecorder(): Recorder & { operations: Operation[] } {
  const operations: Operation[] = [];
  let lastId = 0;
  return {
    operations,
    nextId: () => ++lastId,
    record: (operation) => {
      operations.push(operation);
    },
    count: () => operations.length,
  };
}

/** Mix of the chaos phase, as cumulative thresholds of a uniform draw. */
const TRANSFER_SHARE = 0.6;
const DEPOSIT_SHARE = 0.15;
const CREATE_USER_SHARE = 0.03;
export const TRANSFER_AMOUNT_MAX_MINOR = 2_000;
export const DEPOSIT_AMOUNT_MAX_MINOR = 1_000;

function headers(endpoints: Endpoints, key?: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (endpoints.authorization) result.authorization = endpoints.authorization;
  if (key) result['idempotency-key'] = key;
  return result;
}

function replicaFor<T>(replicas: readonly T[], client: number, attemptIndex: number): T {
  return replicas[(client + attemptIndex) % replicas.length]!;
}

export function createUserPlan(
  endpoints: Endpoints,
  client: number,
  email: string,
  key: string,
): OperationPlan {
  return {
    client,
    kind: 'create_user',
    email,
    idempotencyKey: key,
    call: (attemptIndex) => {
      const replica = replicaFor(endpoints.users, client, attemptIndex);
      return post(replica, '/createUser', { email }, headers(endpoints, key));
    },
  };
}

export function depositPlan(
  endpoints: Endpoints,
  client: number,
  userId: string,
  amountMinor: bigint,
  key: string,
): OperationPlan {
  return {
    client,
    kind: 'deposit',
    userId,
    amountMinor,
    idempotencyKey: key,
    call: (attemptIndex) => {
      const replica = replicaFor(endpoints.transactions, client, attemptIndex);
      const body = { user_id: userId, amount: formatMinor(amountMinor) };
      return post(replica, '/addMoney', body, headers(endpoints, key));
    },
  };
}

function transferPlan(
  endpoints: Endpoints,
  client: number,
  source: string,
  target: string,
  amountMinor: bigint,
  key: string,
): OperationPlan {
  return {
    client,
    kind: 'transfer',
    sourceUserId: source,
    targetUserId: target,
    amountMinor,
    idempotencyKey: key,
    call: (attemptIndex) => {
      const replica = replicaFor(endpoints.transactions, client, attemptIndex);
      const body = { from_user_id: source, to_user_id: target, amount: formatMinor(amountMinor) };
      return post(replica, '/transferMoney', body, headers(endpoints, key));
    },
  };
}

function readPlan(endpoints: Endpoints, client: number, user: BankUser): OperationPlan {
  return {
    client,
    kind: 'read',
    userId: user.userId,
    email: user.email,
    call: (attemptIndex) => {
      const replica = replicaFor(endpoints.users, client, attemptIndex);
      const query = new URLSearchParams({ email: user.email });
      return {
        method: 'GET',
        url: `${replica.url}/getBalance?${query}`,
        headers: headers(endpoints),
        timeoutMs: ATTEMPT_TIMEOUT_MS,
        replica: replica.name,
      };
    },
  };
}

function post(
  replica: { name: string; url: string },
  path: string,
  body: unknown,
  extra: Record<string, string>,
): HttpCall {
  return {
    method: 'POST',
    url: `${replica.url}${path}`,
    body,
    headers: extra,
    timeoutMs: ATTEMPT_TIMEOUT_MS,
    replica: replica.name,
  };
}

export type ChaosClientOptions = {
  client: number;
  endpoints: Endpoints;
  users: readonly BankUser[];
  runId: string;
  random: Random;
  recorder: Recorder;
  deadlineMs: number;
  operationsMax: number;
};

/** One client: random operations, one at a time, until the deadline or the run's operation cap. */
export async function runChaosClient(options: ChaosClientOptions): Promise<void> {
  const { client, endpoints, users, random, recorder } = options;
  while (Date.now() < options.deadlineMs && recorder.count() < options.operationsMax) {
    const id = recorder.nextId();
    const key = `${options.runId}-${id}`;
    const draw = random.next();
    let plan: OperationPlan;
    if (draw < TRANSFER_SHARE) {
      const source = random.pick(users);
      let target = random.pick(users);
      while (target.userId === source.userId) target = random.pick(users);
      const amountMinor = BigInt(random.int(1, TRANSFER_AMOUNT_MAX_MINOR));
      plan = transferPlan(endpoints, client, source.userId, target.userId, amountMinor, key);
    } else if (draw < TRANSFER_SHARE + DEPOSIT_SHARE) {
      const amountMinor = BigInt(random.int(1, DEPOSIT_AMOUNT_MAX_MINOR));
      plan = depositPlan(endpoints, client, random.pick(users).userId, amountMinor, key);
    } else if (draw < TRANSFER_SHARE + DEPOSIT_SHARE + CREATE_USER_SHARE) {
      plan = createUserPlan(endpoints, client, `chaos-${key}@example.com`, key);
    } else {
      plan = readPlan(endpoints, client, random.pick(users));
    }
    recorder.record(await runOperation(id, plan));
  }
}
