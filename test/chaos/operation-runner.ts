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

type Fields = Record<string, unknown>;

const text = (fields: Fields, name: string) =>
  typeof fields[name] === 'string' ? (fields[name] as string) : undefined;
const money = (fields: Fields, name: string) => jsonNumberToMinor(fields[name]);

/** A hold command's answer: the hold, and the sender's balances after it (capture: the receiver's too). */
function holdResult(fields: Fields): OperationResult {
  return {
    holdId: text(fields, 'hold_id'),
    holdStatus: text(fields, 'status'),
    holdAmountMinor: money(fields, 'amount'),
    capturedAmountMinor: money(fields, 'captured_amount'),
    transferId: text(fields, 'transfer_id'),
    balanceMinor: money(fields, 'balance'),
    heldMinor: money(fields, 'held'),
    availableMinor: money(fields, 'available_balance'),
    targetBalanceMinor: money(fields, 'to_balance'),
  };
}

/** A reversal's answer: its id and amount, the original's totals, and the payer's balances. */
function reversalResult(fields: Fields): OperationResult {
  return {
    reversalId: text(fields, 'reversal_id'),
    amountMinor: money(fields, 'amount'),
    reversedTotalMinor: money(fields, 'reversed_total'),
    remainingMinor: money(fields, 'remaining'),
  };
}

/** The response fields the checker compares with the ledger, money read exactly. */
export function readResult(kind: OperationKind, body: unknown): OperationResult {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Fields;
  switch (kind) {
    case 'create_user':
      return { userId: text(fields, 'user_id') };
    case 'deposit':
    case 'withdrawal':
      return {
        balanceMinor: money(fields, 'updated_balance'),
        availableMinor: money(fields, 'available_balance'),
        amountMinor: kind === 'withdrawal' ? money(fields, 'amount') : undefined,
        transactionId: text(fields, 'transaction_id'),
      };
    case 'transfer':
      return {
        transferId: text(fields, 'transfer_id'),
        sourceBalanceMinor: money(fields, 'from_balance'),
        targetBalanceMinor: money(fields, 'to_balance'),
        availableMinor: money(fields, 'from_available_balance'),
      };
    case 'hold':
    case 'capture':
    case 'void':
      return holdResult(fields);
    case 'reverse_transfer':
      return {
        ...reversalResult(fields),
        sourceBalanceMinor: money(fields, 'from_balance'),
        targetBalanceMinor: money(fields, 'to_balance'),
        availableMinor: money(fields, 'from_available_balance'),
      };
    case 'reverse_deposit':
      return {
        ...reversalResult(fields),
        balanceMinor: money(fields, 'updated_balance'),
        availableMinor: money(fields, 'available_balance'),
      };
    case 'freeze':
    case 'unfreeze':
    case 'close':
      return {
        userId: text(fields, 'user_id'),
        walletStatus: text(fields, 'status'),
        balanceMinor: money(fields, 'balance'),
        heldMinor: money(fields, 'held'),
        availableMinor: money(fields, 'available_balance'),
      };
    case 'read':
      return {
        userId: text(fields, 'user_id'),
        balanceMinor: money(fields, 'balance'),
        heldMinor: money(fields, 'held'),
        availableMinor: money(fields, 'available_balance'),
      };
  }
}
