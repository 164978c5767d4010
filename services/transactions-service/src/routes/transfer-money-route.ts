import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  transferMoneyBodySchema,
  transferMoneyResponseSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import { assertMayActFor } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { idempotentRequestHeadersSchema } from '../../../shared/src/http/idempotency-key-header.ts';
import { parseAmount } from '../../../shared/src/money.ts';
import { transferMoney } from '../operations/transfer-money.ts';
import type { RouteDeps } from './route-deps.ts';
import { answerMoneyCommand } from './send-money-outcome.ts';

export function registerTransferMoneyRoute(app: HttpApp, deps: RouteDeps): void {
  app.post(
    '/transferMoney',
    {
      config: { access: 'move' },
      schema: {
        summary: 'Move money from one wallet to another',
        description:
          'The amount may be given as `amount` or `amount_to_transfer` (exactly one). ' +
          'A user token may only send from its own wallet (`from_user_id`); otherwise 403 FORBIDDEN.',
        tags: ['money'],
        headers: idempotentRequestHeadersSchema,
        body: transferMoneyBodySchema,
        response: { 200: transferMoneyResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const { body } = request;
      assertMayActFor(request, body.from_user_id);
      return answerMoneyCommand(request, reply, deps, 'transferMoney', (caller) => {
        const field = body.amount === undefined ? 'amount_to_transfer' : 'amount';
        return transferMoney(deps.pool, deps.namespace, {
          fromUserId: body.from_user_id.toLowerCase(),
          toUserId: body.to_user_id.toLowerCase(),
          amountMinor: parseAmount(body.amount ?? body.amount_to_transfer, field),
          ...caller,
        });
      });
    },
  );
}
