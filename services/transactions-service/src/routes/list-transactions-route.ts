import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  listTransactionsQuerySchema,
  transactionPageSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import { assertMayActFor } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { keysetPage } from '../../../shared/src/http/page-cursor.ts';
import { walletNotFound } from '../operations/wallet-not-found.ts';
import { decodeSeqCursor, encodeSeqCursor } from '../page-cursor.ts';
import { listTransactions } from '../repositories/transaction-repository.ts';
import { walletExists } from '../repositories/wallet-repository.ts';
import type { RouteDeps } from './route-deps.ts';
import { transactionView } from './transaction-view.ts';

export function registerListTransactionsRoute(app: HttpApp, deps: RouteDeps): void {
  app.get(
    '/transactions',
    {
      config: { access: 'read' },
      schema: {
        summary: "A user's money movements, newest first",
        description:
          'Keyset pages: pass `next_cursor` back as `cursor` until it is null. A user token sees only its own.',
        tags: ['history'],
        querystring: listTransactionsQuerySchema,
        response: { 200: transactionPageSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const userId = request.query.user_id.toLowerCase();
      assertMayActFor(request, userId);
      const beforeSeq = cursor === undefined ? undefined : decodeSeqCursor(cursor);
      const rows = await listTransactions(deps.pool, { userId, limit: limit + 1, beforeSeq });
      // Rows reference their wallet, so only an empty page needs the second look: no wallet, or no history yet.
      if (rows.length === 0 && !(await walletExists(deps.pool, userId))) throw walletNotFound(userId);
      const { page, nextCursor } = keysetPage(rows, limit, (last) => encodeSeqCursor(last.walletSeq));
      return { transactions: page.map(transactionView), next_cursor: nextCursor };
    },
  );
}
