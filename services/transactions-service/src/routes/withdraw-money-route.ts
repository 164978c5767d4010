import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  withdrawMoneyBodySchema,
  withdrawMoneyResponseSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import { assertMayActFor } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { idempotentRequestHeadersSchema } from '../../../shared/src/http/idempotency-key-header.ts';
import { parseAmount } from '../../../shared/src/money.ts';
import { withdrawMoney } from '../operations/withdraw-money.ts';
import type { RouteDeps } from './route-deps.ts';
import { answerMoneyCommand } from './send-money-outcome.ts';

export function registerWithdrawMoneyRoute(app: HttpApp, deps: RouteDeps): void {
  app.post(
    '/withdrawMoney',
    {
      config: { access: 'move' },
      schema: {
        summary: 'Pay money out of a wallet',
        description:
          'Paid from the available balance (balance − held): INSUFFICIENT_FUNDS when it is short; ' +
          '409 WALLET_FROZEN or WALLET_CLOSED when the wallet may not pay. A user token may only withdraw from its own wallet.',
        tags: ['money'],
        headers: idempotentRequestHeadersSchema,
        body: withdrawMoneyBodySchema,
        response: { 200: withdrawMoneyResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const userId = request.body.user_id.toLowerCase();
      assertMayActFor(request, userId);
      return answerMoneyCommand(request, reply, deps, 'withdrawMoney', (caller) =>
        withdrawMoney(deps.pool, deps.namespace, {
          userId,
          amountMinor: parseAmount(request.body.amount, 'amount'),
          ...caller,
        }),
      );
    },
  );
}
