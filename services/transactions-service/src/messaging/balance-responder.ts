import { type BalanceReply, balanceRequestSchema } from '../../../shared/src/contracts/nats.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { formatMinor } from '../../../shared/src/money.ts';
import { createWalletBalancesBatch } from './wallet-balances-batch.ts';

/**
 * Answers the user-service's balance requests over NATS. Anything that throws (database down)
 * becomes INTERNAL_ERROR in serveJson, so the requester gets a reply instead of a timeout.
 * Requests that arrive together share one query (wallet-balances-batch.ts).
 */
export function createBalanceHandler(pool: Pool): (data: unknown) => Promise<BalanceReply> {
  const readWallet = createWalletBalancesBatch(pool);
  return async (data) => {
    const request = balanceRequestSchema.safeParse(data);
    if (!request.success) return { ok: false, code: 'INVALID_REQUEST' };
    const userId = request.data.user_id.toLowerCase();
    const wallet = await readWallet(userId);
    if (!wallet) return { ok: false, code: 'WALLET_NOT_FOUND' };
    return {
      ok: true,
      user_id: userId,
      balance: formatMinor(wallet.balanceMinor),
      held: formatMinor(wallet.heldMinor),
      available_balance: formatMinor(wallet.balanceMinor - wallet.heldMinor),
      status: wallet.status,
    };
  };
}
