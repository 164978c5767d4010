import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  addMoneyBodySchema,
  addMoneyResponseSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { idempotentRequestHeadersSchema } from '../../../shared/src/http/idempotency-key-header.ts';
import { parseAmount } from '../../../shared/src/money.ts';
import { addMoney } from '../operations/add-money.ts';
import type { RouteDeps } from './route-deps.ts';
import { answerMoneyCommand } from './send-money-outcome.ts';

export function registerAddMoneyRoute(app: HttpApp, deps: RouteDeps): void {
  app.post(
    '/addMoney',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Deposit money into a wallet',
        description: 'Needs the operator token: a deposit brings money in from outside the platform.',
        tags: ['money'],
        headers: idempotentRequestHeadersSchema,
        body: addMoneyBodySchema,
        response: { 200: addMoneyResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) =>
      answerMoneyCommand(request, reply, deps, 'addMoney', (caller) =>
        addMoney(deps.pool, deps.namespace, {
          userId: request.body.user_id.toLowerCase(),
          amountMinor: parseAmount(request.body.amount, 'amount'),
          ...caller,
        }),
      ),
  );
}
