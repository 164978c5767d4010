import { problemSchema } from '../../../shared/src/contracts/common.ts';
import { walletPageSchema, walletSchema } from '../../../shared/src/contracts/transactions-api.ts';
import { listUsersQuerySchema, userParamsSchema } from '../../../shared/src/contracts/users-api.ts';
import { assertMayActFor, assertMayReadAll } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { minorToNumber } from '../../../shared/src/money.ts';
import { toClientError } from '../database-errors.ts';
import { walletNotFound } from '../operations/wallet-not-found.ts';
import { decodeWalletCursor, encodeWalletCursor } from '../page-cursor.ts';
import { findWallet, listWallets, type Wallet } from '../repositories/wallet-repository.ts';
import type { RouteDeps } from './route-deps.ts';

function toView(wallet: Wallet) {
  return {
    user_id: wallet.userId,
    balance: minorToNumber(wallet.balanceMinor),
    created_at: wallet.createdAt.toISOString(),
  };
}

export function registerWalletRoutes(app: HttpApp, deps: RouteDeps): void {
  app.get(
    '/wallets',
    {
      config: { access: 'read' },
      schema: {
        summary: 'All wallets, newest first',
        description:
          'Keyset pages: pass `next_cursor` back as `cursor` until it is null. Operator and reader tokens only.',
        tags: ['wallets'],
        querystring: listUsersQuerySchema,
        response: { 200: walletPageSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request) => {
      assertMayReadAll(request);
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeWalletCursor(cursor);
      try {
        const rows = await listWallets(deps.pool, { limit: limit + 1, after });
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          wallets: page.map(toView),
          next_cursor: rows.length > limit && last ? encodeWalletCursor(last.position) : null,
        };
      } catch (error) {
        throw toClientError(error);
      }
    },
  );

  app.get(
    '/wallets/:user_id',
    {
      config: { access: 'read' },
      schema: {
        summary: "One user's wallet",
        description: 'A user token may only read its own.',
        tags: ['wallets'],
        params: userParamsSchema,
        response: { 200: walletSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request) => {
      const userId = request.params.user_id.toLowerCase();
      assertMayActFor(request, userId);
      try {
        const wallet = await findWallet(deps.pool, userId);
        if (!wallet) throw walletNotFound(userId);
        return toView(wallet);
      } catch (error) {
        throw toClientError(error);
      }
    },
  );
}
