import { errorFor } from '../../error-advice.ts';
import type { HoldResult } from '../api/transactions-api.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { resolveUser } from '../users/resolve-user.ts';
import { nameUsers } from './name-users.ts';
import { parseAmountArgument } from './parse-amount-argument.ts';
import { parseExpiry } from './parse-expiry.ts';
import { parseIdArgument } from './parse-id-argument.ts';

/** A hold command's answer with both sides named: emails where user-service could tell them. */
export type HoldOutcome = HoldResult & {
  fromEmail: string | null;
  toEmail: string | null;
  idempotencyKey: string;
};

/** Checks amount and expiry first (no request for bad input), resolves both users, reserves. */
export async function createHold(
  apis: WalletApis,
  input: { from: string; to: string; amount: string; expires?: string; idempotencyKey: string },
): Promise<HoldOutcome & { source: UserView; target: UserView }> {
  const amountMinor = parseAmountArgument(input.amount);
  const expiresInSeconds = input.expires === undefined ? undefined : parseExpiry(input.expires);
  const [source, target] = await Promise.all([
    resolveUser(apis.users, input.from),
    resolveUser(apis.users, input.to),
  ]);
  if (source.user_id === target.user_id) {
    throw errorFor('SAME_ACCOUNT', `${source.email} cannot hold money for itself`, { status: 422 });
  }
  const result = await apis.transactions.createHold(
    {
      fromUserId: source.user_id,
      toUserId: target.user_id,
      amountMinor,
      ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
    },
    input.idempotencyKey,
  );
  return {
    ...result,
    source,
    target,
    fromEmail: source.email,
    toEmail: target.email,
    idempotencyKey: input.idempotencyKey,
  };
}

/** Moves all of a pending hold (or `amount` of it; the rest is released) to its receiver. */
export async function captureHold(
  apis: WalletApis,
  input: { holdId: string; amount?: string; idempotencyKey: string },
): Promise<HoldOutcome> {
  const holdId = parseIdArgument(input.holdId, 'hold');
  const amountMinor = input.amount === undefined ? undefined : parseAmountArgument(input.amount);
  const result = await apis.transactions.captureHold(holdId, amountMinor, input.idempotencyKey);
  return named(apis, result, input.idempotencyKey);
}

/** Releases a pending hold: the money stays with the sender. */
export async function voidHold(
  apis: WalletApis,
  input: { holdId: string; idempotencyKey: string },
): Promise<HoldOutcome> {
  const holdId = parseIdArgument(input.holdId, 'hold');
  const result = await apis.transactions.voidHold(holdId, input.idempotencyKey);
  return named(apis, result, input.idempotencyKey);
}

async function named(apis: WalletApis, result: HoldResult, idempotencyKey: string): Promise<HoldOutcome> {
  const emails = await nameUsers(apis, [result.hold.fromUserId, result.hold.toUserId]);
  return {
    ...result,
    fromEmail: emails.get(result.hold.fromUserId) ?? null,
    toEmail: emails.get(result.hold.toUserId) ?? null,
    idempotencyKey,
  };
}
