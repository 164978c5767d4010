import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import {
  AUDIT_CONTENT_TYPE,
  type AuditRecord,
  auditRecordSchema,
} from '../../../../services/shared/src/contracts/audit-api.ts';
import { isCliError } from '../../cli-error.ts';
import { errorFor } from '../../error-advice.ts';
import { CLI_USER_AGENT } from '../api/wallet-apis.ts';
import { CONNECT_TIMEOUT_MS } from '../http/http-client.ts';
import { describeNetworkError, isTimeoutError } from '../http/network-errors.ts';
import { readProblem } from '../http/problem-response.ts';

/** The audit answers its headers once its snapshot is open, then a record at least every few seconds. */
export const AUDIT_HEADERS_TIMEOUT_MS = 30_000;
/** The longest quiet between two records: a set check over a big ledger is one long statement. */
export const AUDIT_BODY_TIMEOUT_MS = 300_000;
/** A longer line is not an audit record. */
export const AUDIT_LINE_LENGTH_MAX = 1_000_000;

/**
 * GET /audit on transactions-service, each NDJSON record validated and handed to `onRecord` as it
 * arrives (so the caller can show progress). Never retried: an audit is long and the caller decides.
 */
export async function streamAudit(
  settings: { transactionsServiceUrl: string; token: string | undefined },
  onRecord: (record: AuditRecord) => void,
): Promise<void> {
  const agent = new Agent({
    connect: { timeout: CONNECT_TIMEOUT_MS },
    headersTimeout: AUDIT_HEADERS_TIMEOUT_MS,
    bodyTimeout: AUDIT_BODY_TIMEOUT_MS,
  });
  const baseUrl = settings.transactionsServiceUrl;
  const url = new URL('audit', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    accept: `${AUDIT_CONTENT_TYPE}, application/problem+json`,
    'user-agent': CLI_USER_AGENT,
    'x-request-id': requestId,
  };
  if (settings.token) headers.authorization = `Bearer ${settings.token}`;
  try {
    const response = await request(url, { method: 'GET', headers, dispatcher: agent });
    if (response.statusCode !== 200) {
      throw readProblem('transactions-service', response.statusCode, await response.body.text(), requestId);
    }
    await readLines(response.body, (line) => onRecord(parseRecord(line)));
  } catch (error) {
    if (isCliError(error)) throw error;
    const code = isTimeoutError(error) ? 'SERVICE_TIMEOUT' : 'SERVICE_UNREACHABLE';
    throw errorFor(
      code,
      `transactions-service at ${baseUrl} ${describeNetworkError(error)} during the audit`,
    );
  } finally {
    await agent.close();
  }
}

async function readLines(body: AsyncIterable<Buffer>, onLine: (line: string) => void): Promise<void> {
  let pending = '';
  for await (const chunk of body) {
    pending += chunk.toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line !== '') onLine(line);
      newline = pending.indexOf('\n');
    }
    if (pending.length > AUDIT_LINE_LENGTH_MAX) throw badRecord('a line longer than any audit record');
  }
  if (pending !== '') onLine(pending);
}

function parseRecord(line: string): AuditRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw badRecord('a line that is not JSON');
  }
  const parsed = auditRecordSchema.safeParse(value);
  if (!parsed.success) throw badRecord('a record the CLI does not know');
  return parsed.data;
}

function badRecord(what: string) {
  return errorFor('BAD_RESPONSE', `transactions-service answered GET /audit with ${what}`);
}
