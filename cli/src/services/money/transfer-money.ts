import { errorFor } from '../../error-advice.ts';
import type { Payee } from '../api/transactions-api.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { parseUserRef, resolveUser } from '../users/resolve-user.ts';
import { parseAmountArgument } from './parse-amount-argument.ts';

/** The payee as the transfer knows them: the id from the answer, the email only if it was given. */
export type TransferTarget = { user_id: string; email: string | null };

export type TransferResult = {
  source: UserView;
  target: TransferTarget;
  amountMinor: bigint;
  sourceBalanceMinor: bigint;
  sourceAvailableMinor: bigint;
  /** null when the token is a user's: the payee's balance is not the payer's to see. */
  targetBalanceMinor: bigint | null;
  transferId: string;
  idempotencyKey: string;
  replayed: boolean;
};

/**
 * Checks the amount, resolves the payer (any token may read its own user), transfers. The payee
 * goes to the platform as given, email or id, and is never looked up here: a user token may not
 * read anyone else, and must be able to pay them all the same.
 */
export async function transferMoney(
  apis: WalletApis,
  input: { from: string; to: string; amount: string; idempotencyKey: string },
): Promise<TransferResult> {
  const amountMinor = parseAmountArgument(input.amount);
  const ref = parseUserRef(input.to);
  const source = await resolveUser(apis.users, input.from);
  const payee: Payee = ref.kind === 'id' ? { userId: ref.userId } : { email: ref.email };
  if ('userId' in payee ? payee.userId === source.user_id : payee.email === source.email.toLowerCase()) {
    throw errorFor('SAME_ACCOUNT', `${source.email} cannot transfer to itself`, { status: 422 });
  }
  const transfer = await apis.transactions.transferMoney(
    source.user_id,
    payee,
    amountMinor,
    input.idempotencyKey,
  );
  return {
    source,
    target: { user_id: transfer.toUserId, email: 'email' in payee ? payee.email : null },
    amountMinor,
    sourceBalanceMinor: transfer.fromBalanceMinor,
    sourceAvailableMinor: transfer.fromAvailableMinor,
    targetBalanceMinor: transfer.toBalanceMinor,
    transferId: transfer.transferId,
    idempotencyKey: input.idempotencyKey,
    replayed: transfer.replayed,
  };
}
