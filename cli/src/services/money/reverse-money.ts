import { isCliError } from '../../cli-error.ts';
import { errorFor } from '../../error-advice.ts';
import type { DepositReversal, ReversalRequest, TransferReversal } from '../api/transactions-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { nameUsers } from './name-users.ts';
import { parseAmountArgument } from './parse-amount-argument.ts';
import { parseIdArgument } from './parse-id-argument.ts';

export type ReversalOutcome =
  | { kind: 'transfer'; reversal: TransferReversal; emails: Map<string, string>; idempotencyKey: string }
  | { kind: 'deposit'; reversal: DepositReversal; emails: Map<string, string>; idempotencyKey: string };

/**
 * Reverses a transfer or a deposit by its id: the id is tried as a transfer first and, when
 * transactions-service knows no such transfer, as a deposit, with the same Idempotency-Key (a
 * refused request does not use up its key, so a rerun of this command finds the same answer).
 */
export async function reverseMoney(
  apis: WalletApis,
  input: { id: string; amount?: string; reason?: string; idempotencyKey: string },
): Promise<ReversalOutcome> {
  const id = parseIdArgument(input.id, 'transfer or deposit');
  const request: ReversalRequest = {
    ...(input.amount === undefined ? {} : { amountMinor: parseAmountArgument(input.amount) }),
    ...(input.reason === undefined ? {} : { reason: input.reason }),
  };
  const { idempotencyKey } = input;
  try {
    const reversal = await apis.transactions.reverseTransfer(id, request, idempotencyKey);
    const emails = await nameUsers(apis, [reversal.fromUserId, reversal.toUserId]);
    return { kind: 'transfer', reversal, emails, idempotencyKey };
  } catch (error) {
    if (!isCliError(error) || error.code !== 'TRANSFER_NOT_FOUND') throw error;
  }
  try {
    const reversal = await apis.transactions.reverseDeposit(id, request, idempotencyKey);
    const emails = await nameUsers(apis, [reversal.userId]);
    return { kind: 'deposit', reversal, emails, idempotencyKey };
  } catch (error) {
    if (!isCliError(error) || error.code !== 'DEPOSIT_NOT_FOUND') throw error;
    throw errorFor('TRANSFER_NOT_FOUND', `no transfer or deposit has the id ${id}`, {
      status: 404,
      ...(error.requestId ? { requestId: error.requestId } : {}),
    });
  }
}
