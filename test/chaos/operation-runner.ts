import { setTimeout as sleep } from 'node:timers/promises';
import type { Attempt, Operation, OperationKind, OperationResult, Outcome } from './history.ts';
import { type AttemptReply, type HttpCall, jsonNumberToMinor, sendAttempt } from './http-attempt.ts';

/** Retries of one operation, all with the same idempotency key. */
export const ATTEMPTS_MAX = 6;
export const ATTEMPT_TIMEOUT_MS = 5_000;
const RETRY_BACKOFF_BASE_MS = 100;
const RETRY_BACKOFF_CAP_MS = 1_000;

/** What to do and how to ask for it; `call(n)` builds attempt n (so retries can go to another replica). */
export type OperationPlan = Omit<
  Operation,
  'id' | 'invokedAtMs' | 'completedAtMs' | 'outcome' | 'attempts' | 'result'
> & {
  call: (attemptIndex: number) => HttpCall;
};

type Verdict = 'ok' | 'refused' | 'unknown' | 'retry-safe';

/**
 * 2xx: done. 429: refused before any work, safe to retry. Other 4xx: refused (a definite "no").
 * 5xx or no response: unknown, the work may have been done; retried with the same key.
 */
function judge(attempt: Attempt): Verdict {
  const status = attempt.status;
  if (status === undefined || status >= 500) return 'unknown';
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return 'retry-safe';
  return 'refused';
}

/**
 * Runs one operation to its outcome. A refusal after an earlier unknown attempt is itself
 * unknown: that earlier attempt may still be running on a replica and commit later.
 */
export async function runOperation(id: number, plan: OperationPlan): Promise<Operation> {
  const { call, ...fields } = plan;
  const invokedAtMs = Date.now();
  const attempts: Attempt[] = [];
  let sawUnknown = false;
  let outcome: Outcome = 'info';
  let reply: AttemptReply | undefined;
  for (let index = 0; index < ATTEMPTS_MAX; index++) {
    if (index > 0) await sleep(backoffMs(index));
    reply = await sendAttempt(call(index));
    attempts.push(reply.attempt);
    const verdict = judge(reply.attempt);
    if (verdict === 'ok') {
      outcome = 'ok';
      break;
    }
    if (verdict === 'refused') {
      outcome = sawUnknown ? 'info' : 'fail';
      break;
    }
    if (verdict === 'unknown') sawUnknown = true;
  }
  const operation: Operation = { ...fields, id, invokedAtMs, completedAtMs: Date.now(), outcome, attempts };
  if (outcome === 'ok') operation.result = readResult(plan.kind, reply?.body);
  return operation;
}

function backoffMs(attemptIndex: number): number {
  const ceilingMs = Math.min(RETRY_BACKOFF_CAP_MS, RETRY_BACKOFF_BASE_MS * 2 ** attemptIndex);
  return ceilingMs / 2 + Math.random() * (ceilingMs / 2);
}

/** The response fields the checker compares with the ledger, money read exactly. */
export function readResult(kind: OperationKind, body: unknown): OperationResult {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  switch (kind) {
    case 'create_user':
      return { userId: text('user_id') };
    case 'deposit':
      return {
        balanceMinor: jsonNumberToMinor(fields.updated_balance),
        transactionId: text('transaction_id'),
      };
    case 'transfer':
      return {
        transferId: text('transfer_id'),
        sourceBalanceMinor: jsonNumberToMinor(fields.from_balance),
        targetBalanceMinor: jsonNumberToMinor(fields.to_balance),
      };
    case 'read':
      return { balanceMinor: jsonNumberToMinor(fields.balance), userId: text('user_id') };
  }
}
