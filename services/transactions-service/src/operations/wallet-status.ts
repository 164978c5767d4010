import { TOPICS } from '../../../shared/src/contracts/events.ts';
import type { WalletView } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { type Outcome, runMoneyCommand } from './run-money-command.ts';

export const WALLET_STATUS_ACTIONS = {
  freeze: TOPICS.walletFrozen,
  unfreeze: TOPICS.walletUnfrozen,
  close: TOPICS.walletClosed,
} as const;
export type WalletStatusAction = keyof typeof WALLET_STATUS_ACTIONS;

/**
 * Freezes, unfreezes or closes a wallet (SQL function set_wallet_status). Asking for the status
 * a wallet already has answers the wallet as it is; a closed wallet stays closed.
 */
export function setWalletStatus(
  pool: Pool,
  namespace: string,
  command: {
    userId: string;
    action: WalletStatusAction;
    reason: string | undefined;
    idempotencyKey: string | undefined;
    requestId: string;
  },
): Promise<Outcome<WalletView>> {
  return runMoneyCommand(pool, {
    fn: 'set_wallet_status',
    scope: `POST /wallets/{user_id}/${command.action}`,
    idempotencyKey: command.idempotencyKey,
    request: { user_id: command.userId, reason: command.reason ?? '' },
    args: [
      [command.userId, 'uuid'],
      [command.action, 'text'],
      [command.reason ?? null, 'text'],
    ],
    namespace,
    topic: WALLET_STATUS_ACTIONS[command.action],
    requestId: command.requestId,
  });
}
