import type { z } from 'zod';
import { TOPICS } from '../../../shared/src/contracts/events.ts';
import type { holdResponseSchema } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { BALANCE_MAX_MINOR } from '../../../shared/src/money.ts';
import { newRowId } from '../../../shared/src/row-ids.ts';
import { moneyArgument } from '../repositories/money-command-repository.ts';
import { type Outcome, runMoneyCommand } from './run-money-command.ts';

export type HoldResponse = z.infer<typeof holdResponseSchema>;
type Caller = { idempotencyKey: string | undefined; requestId: string };

export const CREATE_HOLD_STATUS_CODE = 201;

/**
 * Reserves money on the sender for the receiver (SQL function create_hold): a `hold` ledger row
 * raises the sender's held amount, so the money is no longer available, until the hold is
 * captured, voided or expires.
 */
export function createHold(
  pool: Pool,
  namespace: string,
  command: Caller & { fromUserId: string; toUserId: string; amountMinor: bigint; expiresInSeconds: number },
): Promise<Outcome<HoldResponse>> {
  const { fromUserId, toUserId, amountMinor, expiresInSeconds } = command;
  if (fromUserId === toUserId) throw new AppError('SAME_ACCOUNT', 'from_user_id and to_user_id must differ');
  return runMoneyCommand(pool, {
    fn: 'create_hold',
    scope: 'POST /holds',
    idempotencyKey: command.idempotencyKey,
    request: {
      from_user_id: fromUserId,
      to_user_id: toUserId,
      amount_minor: amountMinor,
      expires_in_seconds: String(expiresInSeconds),
    },
    args: [
      [newRowId(), 'uuid'],
      [fromUserId, 'uuid'],
      [toUserId, 'uuid'],
      moneyArgument(amountMinor),
      [expiresInSeconds, 'int'],
    ],
    namespace,
    topic: TOPICS.holdCreated,
    requestId: command.requestId,
    statusCode: CREATE_HOLD_STATUS_CODE,
    amountMinor,
  });
}

/**
 * Moves all of a pending hold (`amountMinor` undefined) or part of it to the receiver, as a
 * transfer naming the hold; the rest is released (SQL function capture_hold).
 */
export function captureHold(
  pool: Pool,
  namespace: string,
  command: Caller & { holdId: string; amountMinor: bigint | undefined },
): Promise<Outcome<HoldResponse>> {
  return runMoneyCommand(pool, {
    fn: 'capture_hold',
    scope: 'POST /holds/{hold_id}/capture',
    idempotencyKey: command.idempotencyKey,
    request: { hold_id: command.holdId, amount_minor: command.amountMinor ?? 'all' },
    args: [
      [command.holdId, 'uuid'],
      moneyArgument(command.amountMinor),
      [newRowId(), 'uuid'],
      moneyArgument(BALANCE_MAX_MINOR),
    ],
    namespace,
    topic: TOPICS.holdCaptured,
    requestId: command.requestId,
    amountMinor: command.amountMinor,
  });
}

/** Releases a pending hold's money on the sender (SQL function void_hold). */
export function voidHold(
  pool: Pool,
  namespace: string,
  command: Caller & { holdId: string },
): Promise<Outcome<HoldResponse>> {
  return runMoneyCommand(pool, {
    fn: 'void_hold',
    scope: 'POST /holds/{hold_id}/void',
    idempotencyKey: command.idempotencyKey,
    request: { hold_id: command.holdId },
    args: [[command.holdId, 'uuid']],
    namespace,
    topic: TOPICS.holdVoided,
    requestId: command.requestId,
  });
}
