import { z } from 'zod';
import type { WalletStatus } from '../../../../services/shared/src/contracts/transactions-api.ts';
import {
  balanceResponseSchema,
  type UserView,
  userPageSchema,
  userSchema,
} from '../../../../services/shared/src/contracts/users-api.ts';
import type { HttpClient } from '../http/http-client.ts';
import { NO_RETRY, type RetryPolicy } from '../http/retry-policy.ts';
import { numberToMinor } from '../money/money-json.ts';

export type { UserView };
export type Balance = {
  email: string;
  userId: string;
  balanceMinor: bigint;
  heldMinor: bigint;
  availableMinor: bigint;
  status: WalletStatus;
};
export type UserPage = { users: UserView[]; nextCursor: string | null };

const emptyBody = z.unknown();

/** user-service over HTTP: each function is one request, money converted to bigint on the way in. */
export function createUsersApi(http: HttpClient, baseUrl: string) {
  const service = 'user-service' as const;
  return {
    async createUser(email: string, idempotencyKey: string): Promise<UserView> {
      const response = await http.send(
        { service, baseUrl, method: 'POST', path: 'createUser', body: { email }, idempotencyKey },
        userSchema,
      );
      return response.body;
    },

    /** `retry: NO_RETRY` when the caller polls WALLET_PENDING itself. */
    async getBalance(email: string, retry?: RetryPolicy): Promise<Balance> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'GET',
          path: 'getBalance',
          query: { email },
          ...(retry ? { retry } : {}),
        },
        balanceResponseSchema,
      );
      const { body } = response;
      return {
        email: body.email,
        userId: body.user_id,
        balanceMinor: numberToMinor(body.balance),
        heldMinor: numberToMinor(body.held),
        availableMinor: numberToMinor(body.available_balance),
        status: body.status,
      };
    },

    async listUsers(page: { limit: number; cursor?: string; email?: string }): Promise<UserPage> {
      const response = await http.send(
        { service, baseUrl, method: 'GET', path: 'users', query: page },
        userPageSchema,
      );
      return { users: response.body.users, nextCursor: response.body.next_cursor };
    },

    async getUser(userId: string): Promise<UserView> {
      const response = await http.send(
        { service, baseUrl, method: 'GET', path: `users/${encodeURIComponent(userId)}` },
        userSchema,
      );
      return response.body;
    },

    /** True when /readyz answers 2xx; never throws, never retries (the dashboard polls it). */
    async isReady(): Promise<boolean> {
      return probeReady(http, service, baseUrl);
    },
  };
}

export type UsersApi = ReturnType<typeof createUsersApi>;

export async function probeReady(
  http: HttpClient,
  service: 'user-service' | 'transactions-service',
  baseUrl: string,
): Promise<boolean> {
  try {
    await http.send({ service, baseUrl, method: 'GET', path: 'readyz', retry: NO_RETRY }, emptyBody);
    return true;
  } catch {
    return false;
  }
}
