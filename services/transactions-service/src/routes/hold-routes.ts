import type { FastifyRequest } from 'fastify';
import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  captureHoldBodySchema,
  createHoldBodySchema,
  HOLD_EXPIRY_DEFAULT_SECONDS,
  HOLD_EXPIRY_MAX_SECONDS,
  holdPageSchema,
  holdParamsSchema,
  holdResponseSchema,
  holdSchema,
  listHoldsQuerySchema,
  voidHoldBodySchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { notYourOwn, userTokenOwner } from '../../../shared/src/http/access-control.ts';
import { assertMayActFor } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { idempotentRequestHeadersSchema } from '../../../shared/src/http/idempotency-key-header.ts';
import { keysetPage } from '../../../shared/src/http/page-cursor.ts';
import { parseAmount } from '../../../shared/src/money.ts';
import { captureHold, createHold, voidHold } from '../operations/holds.ts';
import { isPayeeRefusal, refuseUnpayablePayee } from '../operations/payee-refusal.ts';
import { decodeSeqCursor, encodeSeqCursor } from '../page-cursor.ts';
import { findHold, listHolds } from '../repositories/hold-repository.ts';
import type { RouteDeps } from './route-deps.ts';
import { answerMoneyCommand } from './send-money-outcome.ts';

/** Whole seconds in 1 … 7 days; anything else is INVALID_EXPIRY. */
function readExpiresInSeconds(value: number | undefined): number {
  if (value === undefined) return HOLD_EXPIRY_DEFAULT_SECONDS;
  if (!Number.isInteger(value) || value < 1 || value > HOLD_EXPIRY_MAX_SECONDS) {
    throw new AppError(
      'INVALID_EXPIRY',
      `expires_in_seconds must be a whole number of seconds from 1 to ${HOLD_EXPIRY_MAX_SECONDS} (7 days)`,
    );
  }
  return value;
}

/**
 * A user token may act on a hold it sends or receives; operators on any. A hold that does not
 * exist and someone else's get the same 403, so a user token cannot tell which hold ids exist.
 */
async function assertMayActOnHold(request: FastifyRequest, deps: RouteDeps, holdId: string): Promise<void> {
  if (request.principal?.scope !== 'user') return;
  const hold = await findHold(deps.pool, holdId);
  const userId = request.principal.userId.toLowerCase();
  if (!hold || (hold.view.from_user_id !== userId && hold.view.to_user_id !== userId)) {
    throw notYourOwn();
  }
}

export function registerHoldRoutes(app: HttpApp, deps: RouteDeps): void {
  app.post(
    '/holds',
    {
      config: { access: 'move' },
      schema: {
        summary: 'Reserve money on the sender for a receiver (two-phase transfer)',
        description:
          'The amount leaves the available balance at once and moves on capture, or comes back on void or expiry. ' +
          `expires_in_seconds: 1 … ${HOLD_EXPIRY_MAX_SECONDS}, default ${HOLD_EXPIRY_DEFAULT_SECONDS}. ` +
          'A user token may only hold money of its own wallet.',
        tags: ['holds'],
        headers: idempotentRequestHeadersSchema,
        body: createHoldBodySchema,
        response: { 201: holdResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const fromUserId = body.from_user_id.toLowerCase();
      assertMayActFor(request, fromUserId);
      const toUserId = body.to_user_id.toLowerCase();
      const asPayer = userTokenOwner(request) !== undefined;
      return answerMoneyCommand(request, reply, deps, 'createHold', async (caller) => {
        const amountMinor = parseAmount(body.amount, 'amount');
        const command = {
          fromUserId,
          toUserId,
          amountMinor,
          expiresInSeconds: readExpiresInSeconds(body.expires_in_seconds),
          ...caller,
        };
        try {
          return await createHold(deps.pool, deps.namespace, command);
        } catch (error) {
          // As for transfers: a user token learns nothing of a receiver it cannot pay.
          if (asPayer && isPayeeRefusal(error, toUserId)) {
            throw await refuseUnpayablePayee(deps.pool, fromUserId, amountMinor);
          }
          throw error;
        }
      });
    },
  );

  app.post(
    '/holds/:hold_id/capture',
    {
      config: { access: 'move' },
      schema: {
        summary: 'Move a pending hold to its receiver, all of it or part',
        description:
          'Without amount the whole hold moves; with a smaller amount the rest is released. ' +
          'A second capture of the same amount answers the captured hold again. ' +
          'A user token may capture holds its wallet sends or receives.',
        tags: ['holds'],
        headers: idempotentRequestHeadersSchema,
        params: holdParamsSchema,
        body: captureHoldBodySchema,
        response: { 200: holdResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const holdId = request.params.hold_id.toLowerCase();
      const amount = request.body?.amount;
      await assertMayActOnHold(request, deps, holdId);
      return answerMoneyCommand(request, reply, deps, 'captureHold', (caller) =>
        captureHold(deps.pool, deps.namespace, {
          holdId,
          amountMinor: amount === undefined ? undefined : parseAmount(amount, 'amount'),
          ...caller,
        }),
      );
    },
  );

  app.post(
    '/holds/:hold_id/void',
    {
      config: { access: 'move' },
      schema: {
        summary: 'Release a pending hold',
        description:
          'A second void answers the voided hold again. A user token may void holds its wallet sends or receives.',
        tags: ['holds'],
        headers: idempotentRequestHeadersSchema,
        params: holdParamsSchema,
        body: voidHoldBodySchema,
        response: { 200: holdResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const holdId = request.params.hold_id.toLowerCase();
      await assertMayActOnHold(request, deps, holdId);
      return answerMoneyCommand(request, reply, deps, 'voidHold', (caller) =>
        voidHold(deps.pool, deps.namespace, {
          holdId,
          ...caller,
        }),
      );
    },
  );

  app.get(
    '/holds/:hold_id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One hold',
        description: 'A user token may only read holds its wallet sends or receives.',
        tags: ['holds'],
        params: holdParamsSchema,
        response: { 200: holdSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request) => {
      const holdId = request.params.hold_id.toLowerCase();
      await assertMayActOnHold(request, deps, holdId);
      const hold = await findHold(deps.pool, holdId);
      if (!hold) throw new AppError('HOLD_NOT_FOUND');
      return hold.view;
    },
  );

  app.get(
    '/holds',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Holds a user sends or receives, newest first',
        description:
          'Keyset pages: pass `next_cursor` back as `cursor` until it is null. `status` narrows the list. ' +
          'A user token sees only its own.',
        tags: ['holds'],
        querystring: listHoldsQuerySchema,
        response: { 200: holdPageSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query;
      const userId = request.query.user_id.toLowerCase();
      assertMayActFor(request, userId);
      const beforeSeq = cursor === undefined ? undefined : decodeSeqCursor(cursor);
      const rows = await listHolds(deps.pool, { userId, status, limit: limit + 1, beforeSeq });
      const { page, nextCursor } = keysetPage(rows, limit, (last) => encodeSeqCursor(last.seq));
      return { holds: page.map((row) => row.view), next_cursor: nextCursor };
    },
  );
}
