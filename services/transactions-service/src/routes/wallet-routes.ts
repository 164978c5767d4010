import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  type WalletView,
  walletPageSchema,
  walletSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import { listUsersQuerySchema, userParamsSchema } from '../../../shared/src/contracts/users-api.ts';
import { assertMayActFor, assertMayReadAll } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { keysetPage } from '../../../shared/src/http/page-cursor.ts';
import { minorToNumber } from '../../../shared/src/money.ts';
import { walletNotFound } from '../operations/wallet-not-found.ts';
import { decodeWalletCursor, encodeWalletCursor } from '../page-cursor.ts';
import { findWallet, listWallets, type Wallet } from '../repositories/wallet-repository.ts';
import type { RouteDeps } from './route-deps.ts';

function toView(wallet: Wallet): WalletView {
  return {
    user_id: wallet.userId,
    balance: minorToNumber(wallet.balanceMinor),
    held: minorToNumber(wallet.heldMinor),
    available_balance: minorToNumber(wallet.balanceMinor - wallet.heldMinor),
    status: wallet.status,
    status_reason: wallet.statusReason,
    seq: Number(wallet.seq),
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
      const rows = await listWallets(deps.pool, { limit: limit + 1, after });
      const { page, nextCursor } = keysetPage(rows, limit, (last) => encodeWalletCursor(last.position));
      return { wallets: page.map(toView), next_cursor: nextCursor };
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
      const wallet = await findWallet(deps.pool, userId);
      if (!wallet) throw walletNotFound(userId);
      return toView(wallet);
    },
  );
}
