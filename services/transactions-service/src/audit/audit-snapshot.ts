import type { AuditRecord } from '../../../shared/src/contracts/audit-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { auditLedger, type LedgerAuditOptions } from './run-ledger-audit.ts';

/** One audit statement may run this long (the pool's default is for requests, not audits). */
export const AUDIT_STATEMENT_TIMEOUT_MS = 300_000;

/**
 * The audit on one connection, in one REPEATABLE READ READ ONLY transaction: every check sees the
 * same snapshot however long the walk takes and however much money moves meanwhile. The
 * connection goes back to the pool when the records are read to the end or the reader stops.
 */
export async function* auditLedgerSnapshot(
  pool: Pool,
  options: LedgerAuditOptions,
): AsyncGenerator<AuditRecord> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${AUDIT_STATEMENT_TIMEOUT_MS}`);
    yield* auditLedger(client, options);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await client.query('ROLLBACK').catch(() => {
      failed = true;
    });
    client.release(failed);
  }
}
