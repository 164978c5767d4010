import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  depositParamsSchema,
  depositReversalResponseSchema,
  reverseBodySchema,
  transferParamsSchema,
  transferReversalResponseSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { idempotentRequestHeadersSchema } from '../../../shared/src/http/idempotency-key-header.ts';
import { parseAmount } from '../../../shared/src/money.ts';
import { reverseDeposit, reverseTransfer } from '../operations/reversals.ts';
import type { RouteDeps } from './route-deps.ts';
import { answerMoneyCommand } from './send-money-outcome.ts';

export function registerReversalRoutes(app: HttpApp, deps: RouteDeps): void {
  app.post(
    '/transfers/:transfer_id/reverse',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Move a transfer back from its receiver to its sender, all that remains or part',
        description:
          'Operator token only. The sum of a transfer’s reversals never exceeds it (REVERSAL_EXCEEDS_ORIGINAL); ' +
          'INSUFFICIENT_FUNDS when the receiver has spent it. A captured hold is reversed by its transfer_id.',
        tags: ['reversals'],
        headers: idempotentRequestHeadersSchema,
        params: transferParamsSchema,
        body: reverseBodySchema,
        response: { 200: transferReversalResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const amount = request.body?.amount;
      return answerMoneyCommand(request, reply, deps, 'reverseTransfer', (caller) =>
        reverseTransfer(deps.pool, deps.namespace, {
          transferId: request.params.transfer_id.toLowerCase(),
          amountMinor: amount === undefined ? undefined : parseAmount(amount, 'amount'),
          reason: request.body?.reason,
          ...caller,
        }),
      );
    },
  );

  app.post(
    '/deposits/:transaction_id/reverse',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Take a deposit back out (a charge-back), all that remains or part',
        description:
          'Operator token only. The sum of a deposit’s reversals never exceeds it; INSUFFICIENT_FUNDS when ' +
          'the wallet has spent it.',
        tags: ['reversals'],
        headers: idempotentRequestHeadersSchema,
        params: depositParamsSchema,
        body: reverseBodySchema,
        response: { 200: depositReversalResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const amount = request.body?.amount;
      return answerMoneyCommand(request, reply, deps, 'reverseDeposit', (caller) =>
        reverseDeposit(deps.pool, deps.namespace, {
          transactionId: request.params.transaction_id.toLowerCase(),
          amountMinor: amount === undefined ? undefined : parseAmount(amount, 'amount'),
          reason: request.body?.reason,
          ...caller,
        }),
      );
    },
  );
}
