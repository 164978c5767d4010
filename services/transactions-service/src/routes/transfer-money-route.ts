import type { FastifyRequest } from 'fastify';
import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  transferMoneyBodySchema,
  transferMoneyResponseSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { userTokenOwner } from '../../../shared/src/http/access-control.ts';
import { assertMayActFor } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { idempotentRequestHeadersSchema } from '../../../shared/src/http/idempotency-key-header.ts';
import { parseAmount } from '../../../shared/src/money.ts';
import type { Outcome } from '../operations/run-money-command.ts';
import {
  type TransferMoneyResponse,
  transferMoney,
  transferMoneyAsPayer,
} from '../operations/transfer-money.ts';
import type { RouteDeps } from './route-deps.ts';
import { answerMoneyCommand } from './send-money-outcome.ts';

type TransferBody = { to_user_id?: string | undefined; to_email?: string | undefined };

export function registerTransferMoneyRoute(app: HttpApp, deps: RouteDeps): void {
  /** The payee's user id; undefined when `to_email` names nobody (the caller decides what to say). */
  async function payeeOf(request: FastifyRequest, body: TransferBody): Promise<string | undefined> {
    if (body.to_email === undefined) return body.to_user_id?.toLowerCase();
    if (!deps.findUserIdByEmail) {
      throw new AppError('SERVICE_UNAVAILABLE', 'this replica cannot look up payees by email');
    }
    return deps.findUserIdByEmail(body.to_email, request.id);
  }

  app.post(
    '/transferMoney',
    {
      config: { access: 'move' },
      schema: {
        summary: 'Move money from one wallet to another',
        description:
          'The amount may be given as `amount` or `amount_to_transfer` (exactly one), the payee as ' +
          '`to_user_id` or `to_email` (exactly one). A user token may only send from its own wallet ' +
          '(`from_user_id`); otherwise 403 FORBIDDEN. A user token learns nothing of the payee: the ' +
          'answer has no `to_balance`, and every payee that cannot be paid (no such email or id, no ' +
          'wallet yet, closed, at the balance limit) gets the same 404 USER_NOT_FOUND, after the ' +
          "payer's own refusals (WALLET_FROZEN, INSUFFICIENT_FUNDS …). Operator tokens get the exact refusal.",
        tags: ['money'],
        headers: idempotentRequestHeadersSchema,
        body: transferMoneyBodySchema,
        response: { 200: transferMoneyResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const { body } = request;
      assertMayActFor(request, body.from_user_id);
      const asPayer = userTokenOwner(request) !== undefined;
      return answerMoneyCommand(request, reply, deps, 'transferMoney', async (caller) => {
        const field = body.amount === undefined ? 'amount_to_transfer' : 'amount';
        const amountMinor = parseAmount(body.amount ?? body.amount_to_transfer, field);
        const fromUserId = body.from_user_id.toLowerCase();
        const toUserId = await payeeOf(request, body);
        if (asPayer) {
          const command = { fromUserId, toUserId, amountMinor, ...caller };
          return withoutPayeeBalance(await transferMoneyAsPayer(deps.pool, deps.namespace, command));
        }
        if (toUserId === undefined) {
          throw new AppError('USER_NOT_FOUND', `no user has the email ${body.to_email}`);
        }
        return transferMoney(deps.pool, deps.namespace, { fromUserId, toUserId, amountMinor, ...caller });
      });
    },
  );
}

/** The payee's balance is the payee's business, not the payer's. */
function withoutPayeeBalance(outcome: Outcome<TransferMoneyResponse>): Outcome<TransferMoneyResponse> {
  const { to_balance: _payeeBalance, ...body } = outcome.body;
  return { ...outcome, body };
}
