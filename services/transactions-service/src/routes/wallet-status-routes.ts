import type { z } from 'zod';
import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  freezeWalletBodySchema,
  walletSchema,
  walletStatusBodySchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import { userParamsSchema } from '../../../shared/src/contracts/users-api.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { idempotentRequestHeadersSchema } from '../../../shared/src/http/idempotency-key-header.ts';
import { setWalletStatus, type WalletStatusAction } from '../operations/wallet-status.ts';
import type { RouteDeps } from './route-deps.ts';
import { answerMoneyCommand } from './send-money-outcome.ts';

/** One status route; the body schema says whether a reason is required. */
function registerStatusRoute(
  app: HttpApp,
  deps: RouteDeps,
  action: WalletStatusAction,
  summary: string,
  body: z.ZodType<{ reason?: string | undefined } | null | undefined>,
): void {
  app.post(
    `/wallets/:user_id/${action}`,
    {
      config: { access: 'operator' },
      schema: {
        summary,
        description:
          'Operator token only. Asking for the status a wallet already has answers the wallet as it is; ' +
          'a closed wallet stays closed (WALLET_CLOSED).',
        tags: ['wallets'],
        headers: idempotentRequestHeadersSchema,
        params: userParamsSchema,
        body,
        response: { 200: walletSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      return answerMoneyCommand(request, reply, deps, 'setWalletStatus', (caller) =>
        setWalletStatus(deps.pool, deps.namespace, {
          userId: request.params.user_id.toLowerCase(),
          action,
          reason: request.body?.reason,
          ...caller,
        }),
      );
    },
  );
}

export function registerWalletStatusRoutes(app: HttpApp, deps: RouteDeps): void {
  registerStatusRoute(
    app,
    deps,
    'freeze',
    'Freeze a wallet: money in still lands, nothing leaves (reason required)',
    freezeWalletBodySchema,
  );
  registerStatusRoute(app, deps, 'unfreeze', 'Unfreeze a frozen wallet', walletStatusBodySchema);
  registerStatusRoute(
    app,
    deps,
    'close',
    'Close a wallet: only at zero balance with no pending hold; it stays readable',
    walletStatusBodySchema,
  );
}
