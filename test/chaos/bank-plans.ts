import { formatMinor } from '../../services/shared/src/money.ts';
import type { HttpCall } from './http-attempt.ts';
import { ATTEMPT_TIMEOUT_MS, type OperationPlan } from './operation-runner.ts';

/**
 * How each bank operation is asked for: one plan per operation kind, each naming what the checker
 * needs to judge it (wallets, amounts, the hold or original acted on) and how to send attempt n.
 */

/** Where the clients send requests: each service's replicas, spread round-robin by attempt. */
export type Endpoints = {
  users: readonly { name: string; url: string }[];
  transactions: readonly { name: string; url: string }[];
  /** Authorization header value, when the services require a token. */
  authorization?: string;
};

export type BankUser = { userId: string; email: string };

/** What a reversal goes back on: an acknowledged transfer (or capture), or a deposit. */
export type Reversible =
  | { kind: 'transfer'; id: string; amountMinor: bigint; sourceUserId: string; targetUserId: string }
  | { kind: 'deposit'; id: string; amountMinor: bigint; userId: string };

const FREEZE_REASON = 'bank workload: short compliance freeze';
const UNFREEZE_REASON = 'bank workload: cleared';
const CLOSE_REASON = 'bank workload: account closed';
const REVERSAL_REASON = 'bank workload: made in error';

function headers(endpoints: Endpoints, key?: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (endpoints.authorization) result.authorization = endpoints.authorization;
  if (key) result['idempotency-key'] = key;
  return result;
}

function replicaFor<T>(replicas: readonly T[], client: number, attemptIndex: number): T {
  return replicas[(client + attemptIndex) % replicas.length]!;
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

/** A POST to transactions-service, to the replica attempt n is due at. */
function postTransactions(
  endpoints: Endpoints,
  client: number,
  path: string,
  body: unknown,
  key?: string,
): (attemptIndex: number) => HttpCall {
  return (attemptIndex) =>
    post(replicaFor(endpoints.transactions, client, attemptIndex), path, body, headers(endpoints, key));
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
  const body = { user_id: userId, amount: formatMinor(amountMinor) };
  return {
    client,
    kind: 'deposit',
    userId,
    amountMinor,
    idempotencyKey: key,
    call: postTransactions(endpoints, client, '/addMoney', body, key),
  };
}

export function withdrawalPlan(
  endpoints: Endpoints,
  client: number,
  userId: string,
  amountMinor: bigint,
  key: string,
): OperationPlan {
  const body = { user_id: userId, amount: formatMinor(amountMinor) };
  return {
    client,
    kind: 'withdrawal',
    userId,
    amountMinor,
    idempotencyKey: key,
    call: postTransactions(endpoints, client, '/withdrawMoney', body, key),
  };
}

export function transferPlan(
  endpoints: Endpoints,
  client: number,
  source: string,
  target: string,
  amountMinor: bigint,
  key: string,
): OperationPlan {
  const body = { from_user_id: source, to_user_id: target, amount: formatMinor(amountMinor) };
  return {
    client,
    kind: 'transfer',
    sourceUserId: source,
    targetUserId: target,
    amountMinor,
    idempotencyKey: key,
    call: postTransactions(endpoints, client, '/transferMoney', body, key),
  };
}

export function holdPlan(
  endpoints: Endpoints,
  client: number,
  hold: { source: string; target: string; amountMinor: bigint; expiresInSeconds: number },
  key: string,
): OperationPlan {
  const body = {
    from_user_id: hold.source,
    to_user_id: hold.target,
    amount: formatMinor(hold.amountMinor),
    expires_in_seconds: hold.expiresInSeconds,
  };
  return {
    client,
    kind: 'hold',
    sourceUserId: hold.source,
    targetUserId: hold.target,
    amountMinor: hold.amountMinor,
    expiresInSeconds: hold.expiresInSeconds,
    idempotencyKey: key,
    call: postTransactions(endpoints, client, '/holds', body, key),
  };
}

/** A capture of all of the hold (no amount) or of part of it. */
export type HoldRef = { holdId: string; sourceUserId: string; targetUserId: string };

export function capturePlan(
  endpoints: Endpoints,
  client: number,
  hold: HoldRef,
  amountMinor: bigint | undefined,
  key: string,
): OperationPlan {
  const body = amountMinor === undefined ? {} : { amount: formatMinor(amountMinor) };
  const { holdId } = hold;
  return {
    client,
    kind: 'capture',
    ...hold,
    amountMinor,
    idempotencyKey: key,
    call: postTransactions(endpoints, client, `/holds/${holdId}/capture`, body, key),
  };
}

export function voidPlan(endpoints: Endpoints, client: number, hold: HoldRef, key: string): OperationPlan {
  const { holdId } = hold;
  return {
    client,
    kind: 'void',
    ...hold,
    idempotencyKey: key,
    call: postTransactions(endpoints, client, `/holds/${holdId}/void`, {}, key),
  };
}

/** A reversal of all that remains of the original (no amount) or of part of it. */
export function reversalPlan(
  endpoints: Endpoints,
  client: number,
  original: Reversible,
  amountMinor: bigint | undefined,
  key: string,
): OperationPlan {
  const body = {
    reason: REVERSAL_REASON,
    ...(amountMinor === undefined ? {} : { amount: formatMinor(amountMinor) }),
  };
  const path =
    original.kind === 'transfer' ? `/transfers/${original.id}/reverse` : `/deposits/${original.id}/reverse`;
  const sides =
    original.kind === 'transfer'
      ? { sourceUserId: original.sourceUserId, targetUserId: original.targetUserId }
      : { userId: original.userId };
  return {
    client,
    kind: original.kind === 'transfer' ? 'reverse_transfer' : 'reverse_deposit',
    ...sides,
    originalId: original.id,
    originalAmountMinor: original.amountMinor,
    amountMinor,
    idempotencyKey: key,
    call: postTransactions(endpoints, client, path, body, key),
  };
}

/** Freeze, unfreeze or close: no money moves, so no idempotency key (each is idempotent by state). */
export function walletStatusPlan(
  endpoints: Endpoints,
  client: number,
  userId: string,
  action: 'freeze' | 'unfreeze' | 'close',
): OperationPlan {
  const reason = { freeze: FREEZE_REASON, unfreeze: UNFREEZE_REASON, close: CLOSE_REASON }[action];
  return {
    client,
    kind: action,
    userId,
    call: postTransactions(endpoints, client, `/wallets/${userId}/${action}`, { reason }),
  };
}

export function readPlan(endpoints: Endpoints, client: number, user: BankUser): OperationPlan {
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
