import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import { writeTokensFile } from './auth.ts';
import { call } from './http-call.ts';
import {
  type BothServices,
  startBothServices,
  startTestTransactionsService,
  startTestUserService,
} from './services.ts';
import { waitForWallet } from './wallets.ts';

export type CreatedUser = { user_id: string; email: string };

export type ServicesWithUserToken = {
  namespace: string;
  /** Replicas that also know `userToken`; the operator token works on them too. */
  usersUrl: string;
  transactionsUrl: string;
  /** The users by email, each with an open wallet. */
  users: Record<string, CreatedUser>;
  /** A bearer token of scope `user` for the first email. */
  userToken: string;
  stop(): Promise<void>;
};

/**
 * Both services with users created through the API, and a user token for the first of them.
 * A user token names a user id, which exists only once the user is created, and the tokens file
 * is read at boot: so a second replica of each service starts on the same databases with it.
 */
export async function startServicesWithUserToken(
  label: string,
  emails: string[],
): Promise<ServicesWithUserToken> {
  const both: BothServices = await startBothServices(label);
  const workDir = mkdtempSync(path.join(tmpdir(), `${label}-tokens-`));
  let users: RunningUserService | undefined;
  let transactions: RunningTransactionsService | undefined;
  const stop = async () => {
    await Promise.allSettled([users?.stop(), transactions?.stop()]);
    await both.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const created: Record<string, CreatedUser> = {};
    for (const email of emails) {
      const response = await call(both.users.url, 'POST', '/createUser', { json: { email } });
      expect(response.status, response.text).toBe(201);
      created[email] = { user_id: response.json.user_id, email };
    }
    await Promise.all(emails.map((email) => waitForWallet(both.users.url, email)));
    const userToken = `user-token-${randomBytes(12).toString('hex')}`;
    const owner = created[emails[0]!]!;
    const tokensFile = writeTokensFile(workDir, [
      { token: userToken, scope: 'user', name: 'owner', user_id: owner.user_id },
    ]);
    const overrides = { WALLET_TOKENS_FILE: tokensFile };
    [users, transactions] = await Promise.all([
      startTestUserService(both.usersDatabaseUrl, both.namespace, overrides),
      startTestTransactionsService(both.transactionsDatabaseUrl, both.namespace, overrides),
    ]);
    return {
      namespace: both.namespace,
      usersUrl: users.url,
      transactionsUrl: transactions.url,
      users: created,
      userToken,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
