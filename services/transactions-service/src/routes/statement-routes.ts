import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  balanceAtQuerySchema,
  balanceAtSchema,
  STATEMENT_PERIOD_DAYS_MAX,
  statementQuerySchema,
  statementSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import { userParamsSchema } from '../../../shared/src/contracts/users-api.ts';
import { assertMayActFor } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { formatMinor } from '../../../shared/src/money.ts';
import {
  balanceAt,
  findStatementBounds,
  rangeOf,
  type StatementBounds,
  statementCsv,
  statementPage,
} from '../operations/ledger-statement.ts';
import { decodeStatementCursor, parseInstant, parseStatementPeriod } from '../operations/statement-period.ts';
import type { RouteDeps } from './route-deps.ts';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
const ACCEPTS_CSV = /(^|,)\s*text\/csv\s*(;|,|$)/i;

/** Balance at a moment and statements: read routes; a user token reads only its own wallet. */
export function registerStatementRoutes(app: HttpApp, deps: RouteDeps): void {
  app.get(
    '/wallets/:user_id/balance',
    {
      config: { access: 'read' },
      schema: {
        summary: 'A wallet’s balance at a moment, from its ledger',
        description:
          'The balance and held amount after the last ledger row at or before `at` (zero before the first row), ' +
          'and that row’s id. A user token may only read its own.',
        tags: ['statements'],
        params: userParamsSchema,
        querystring: balanceAtQuerySchema,
        response: { 200: balanceAtSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request) => {
      const userId = request.params.user_id.toLowerCase();
      assertMayActFor(request, userId);
      const atMicros = parseInstant(request.query.at, 'at', 'floor');
      return balanceAt(deps.pool, userId, atMicros);
    },
  );

  app.get(
    '/wallets/:user_id/statement',
    {
      config: { access: 'read' },
      schema: {
        summary: 'A wallet’s statement for a period: opening and closing balances, totals by kind, its rows',
        description:
          `Rows at or after \`from\` and before \`to\` (at most ${STATEMENT_PERIOD_DAYS_MAX} days), in ledger order, ` +
          'keyset-paged: pass `next_cursor` back as `cursor` with the same from and to until it is null. Opening, ' +
          'closing and totals are the whole period’s on every page; closing = opening + the sum of the rows. ' +
          '`format=csv` or `Accept: text/csv` streams the whole period as CSV with a header line instead. ' +
          'A user token may only read its own.',
        tags: ['statements'],
        params: userParamsSchema,
        querystring: statementQuerySchema,
        response: {
          200: {
            content: {
              'application/json': { schema: statementSchema },
              'text/csv': { schema: z.string() },
            },
          },
          '4xx': problemSchema,
          '5xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      const userId = request.params.user_id.toLowerCase();
      assertMayActFor(request, userId);
      const { from, to, limit, format } = request.query;
      const period = parseStatementPeriod(from, to);
      const asCsv =
        format === 'csv' || (format === undefined && ACCEPTS_CSV.test(request.headers.accept ?? ''));
      if (asCsv) return sendCsv(reply, await findStatementBounds(deps.pool, userId, period));
      const cursor =
        request.query.cursor === undefined ? undefined : decodeStatementCursor(request.query.cursor, period);
      const bounds = await findStatementBounds(deps.pool, userId, period, cursor);
      return statementPage(deps.pool, bounds, { limit, afterSeq: cursor?.lastSeq });
    },
  );

  /** Streams the CSV; the headers say what a reader needs before the rows (and the row count, for progress). */
  function sendCsv(reply: FastifyReply, bounds: StatementBounds): FastifyReply {
    const range = rangeOf(bounds);
    const fileName = `statement-${bounds.userId}-${dayOf(bounds.period.fromMicros)}-${dayOf(bounds.period.toMicros)}.csv`;
    return reply
      .type(CSV_CONTENT_TYPE)
      .header('content-disposition', `attachment; filename="${fileName}"`)
      .header('x-statement-rows', (range.throughSeq - range.afterSeq).toString())
      .header('x-statement-opening-balance', formatMinor(bounds.opening.balanceMinor))
      .header('x-statement-closing-balance', formatMinor(bounds.closing.balanceMinor))
      .send(Readable.from(statementCsv(deps.pool, bounds)));
  }
}

function dayOf(micros: bigint): string {
  return new Date(Number(micros / 1000n)).toISOString().slice(0, 10);
}
