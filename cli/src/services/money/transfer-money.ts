import { errorFor } from '../../error-advice.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { resolveUser } from '../users/resolve-user.ts';
import { parseAmountArgument } from './parse-amount-argument.ts';

export type TransferResult = {
  source: UserView;
  target: UserView;
  amountMinor: bigint;
  sourceBalanceMinor: bigint;
  sourceAvailableMinor: bigint;
  targetBalanceMinor: bigint;
  transferId: string;
  idempotencyKey: string;
  replayed: boolean;
};

/** Checks the amount, resolves both users (in parallel), transfers. */
export async function transferMoney(
  apis: WalletApis,
  input: { from: string; to: string; amount: string; idempotencyKey: string },
): Promise<TransferResult> {
  const amountMinor = parseAmountArgument(input.amount);
  const [source, target] = await Promise.all([
    resolveUser(apis.users, input.from),
    resolveUser(apis.users, input.to),
  ]);
  if (source.user_id === target.user_id) {
    throw errorFor('SAME_ACCOUNT', `${source.email} cannot transfer to itself`, { status: 422 });
  }
  const transfer = await apis.transactions.transferMoney(
    source.user_id,
    target.user_id,
    amountMinor,
    input.idempotencyKey,
  );
  return {
    source,
    target,
    amountMinor,
    sourceBalanceMinor: transfer.fromBalanceMinor,
    sourceAvailableMinor: transfer.fromAvailableMinor,
    targetBalanceMinor: transfer.toBalanceMinor,
    transferId: transfer.transferId,
    idempotencyKey: input.idempotencyKey,
    replayed: transfer.replayed,
  };
}
