import { emailSchema } from '../../../../services/shared/src/contracts/common.ts';
import { errorFor } from '../../error-advice.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { waitForWallet } from './wait-for-wallet.ts';

export type CreatedUser = {
  user: UserView;
  /** `open` after a successful wait, `not-waited` with --no-wait. */
  wallet: 'open' | 'not-waited';
  balanceMinor: bigint | undefined;
};

/** Creates the user and, unless told not to, waits until the wallet is open. */
export async function createUserAndWait(
  apis: WalletApis,
  emailText: string,
  options: { wait: boolean; idempotencyKey: string; onWaiting?: () => void },
): Promise<CreatedUser> {
  const email = emailSchema.safeParse(emailText);
  if (!email.success) throw errorFor('INVALID_EMAIL', `"${emailText}" is not a valid email address`);
  const user = await apis.users.createUser(email.data, options.idempotencyKey);
  if (!options.wait) return { user, wallet: 'not-waited', balanceMinor: undefined };
  options.onWaiting?.();
  const balance = await waitForWallet(apis.users, user.email);
  return { user, wallet: 'open', balanceMinor: balance.balanceMinor };
}
