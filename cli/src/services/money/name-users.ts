import type { WalletApis } from '../api/wallet-apis.ts';

/** Emails are looked up for at most this many distinct users, in parallel. */
export const USER_NAME_LOOKUPS_MAX = 50;

/**
 * user id → email for the ids user-service can name. A name is a nicety: an id it cannot name
 * (or one past the lookup limit) is left out, and the caller shows the id instead.
 */
export async function nameUsers(
  apis: WalletApis,
  ids: Iterable<string | null>,
): Promise<Map<string, string>> {
  const distinct = [...new Set([...ids].filter((id) => id !== null))];
  const named = await Promise.all(
    distinct.slice(0, USER_NAME_LOOKUPS_MAX).map(async (id) => {
      try {
        return [id, (await apis.users.getUser(id)).email] as const;
      } catch {
        return undefined;
      }
    }),
  );
  return new Map(named.filter((entry) => entry !== undefined));
}
