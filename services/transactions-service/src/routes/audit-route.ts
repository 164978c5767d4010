import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import {
  AUDIT_CONTENT_TYPE,
  type AuditRecord,
  auditRecordSchema,
} from '../../../shared/src/contracts/audit-api.ts';
import { problemSchema } from '../../../shared/src/contracts/common.ts';
import { TOPICS, topicName } from '../../../shared/src/contracts/events.ts';
import { AppError } from '../../../shared/src/errors.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { auditLedgerSnapshot } from '../audit/audit-snapshot.ts';
import type { RouteDeps } from './route-deps.ts';

/** Audits at once per replica: each holds a connection and reads the whole ledger. */
export const AUDITS_RUNNING_MAX = 1;

async function* ndjsonLines(records: AsyncGenerator<AuditRecord>): AsyncGenerator<string> {
  for await (const record of records) yield `${JSON.stringify(record)}\n`;
}

export function registerAuditRoute(app: HttpApp, deps: RouteDeps): void {
  let running = 0;
  app.get(
    '/audit',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Audit the whole ledger: chains, hashes, money, holds, events, checkpoints',
        description:
          'Operator token only. Streams application/x-ndjson: `progress` records, a `finding` ' +
          '`{kind, user_id?, row_id?, seq?, detail, expected?, actual?}` for each thing wrong, and a ' +
          '`summary` last (`ok` true when nothing was found). Reads one snapshot in bounded memory; ' +
          'see docs/ledger-audit.md, "Auditing". One audit at a time per replica (503 otherwise).',
        tags: ['audit'],
        response: {
          // Each line of the NDJSON stream is one record (the JSON entry is for tools that read only it).
          200: {
            content: {
              [AUDIT_CONTENT_TYPE]: { schema: auditRecordSchema },
              'application/json': { schema: auditRecordSchema },
            },
          },
          '4xx': problemSchema,
          '5xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      if (running >= AUDITS_RUNNING_MAX) {
        throw new AppError(
          'SERVICE_UNAVAILABLE',
          'an audit is already running on this replica; retry when it ends',
        );
      }
      running += 1;
      const records = auditLedgerSnapshot(deps.pool, {
        checkpointTopic: topicName(deps.namespace, TOPICS.ledgerCheckpoints),
      });
      const body = Readable.from(ndjsonLines(records));
      body.on('close', () => {
        running -= 1;
      });
      body.on('error', (error) => request.log.error({ err: error }, 'the audit failed while streaming'));
      // A stream goes out as it is: the schema above documents its lines, it does not serialize them.
      const raw: FastifyReply = reply;
      return raw.type(AUDIT_CONTENT_TYPE).send(body);
    },
  );
}
