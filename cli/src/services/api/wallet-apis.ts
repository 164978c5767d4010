import type { CliSettings } from '../config/cli-settings.ts';
import { createHttpClient, type HttpClient } from '../http/http-client.ts';
import { createTransactionsApi, type TransactionsApi } from './transactions-api.ts';
import { createUsersApi, type UsersApi } from './users-api.ts';

export const CLI_USER_AGENT = 'wallet-cli/0.1';

/** Both services behind one keep-alive pool; `close()` it when the command is done. */
export type WalletApis = { users: UsersApi; transactions: TransactionsApi; close: () => Promise<void> };

export function createWalletApis(settings: CliSettings, trace?: (line: string) => void): WalletApis {
  const http: HttpClient = createHttpClient({
    userAgent: CLI_USER_AGENT,
    ...(settings.token ? { token: settings.token } : {}),
    ...(trace ? { trace } : {}),
  });
  return {
    users: createUsersApi(http, settings.userServiceUrl),
    transactions: createTransactionsApi(http, settings.transactionsServiceUrl),
    close: () => http.close(),
  };
}
