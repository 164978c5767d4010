import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import { createPool } from '../../services/shared/src/db/pool.ts';
import { auditLedgerSnapshot } from '../../services/transactions-service/src/audit/audit-snapshot.ts';
import type { Violation } from './history.ts';

/**
 * The ledger audit of GET /audit (docs/ledger-audit.md, "Auditing"), run in-process on the
 * transactions database once the replicas stopped: every finding is a violation, and an audit
 * that ends without its summary is one too.
 */
export async function auditViolations(transactionsUrl: string, namespace: string): Promise<Violation[]> {
  const pool = createPool({ connectionString: transactionsUrl, max: 1, applicationName: 'chaos-audit' });
  const violations: Violation[] = [];
  let finished = false;
  try {
    const records = auditLedgerSnapshot(pool, {
      checkpointTopic: topicName(namespace, TOPICS.ledgerCheckpoints),
    });
    for await (const record of records) {
      if (record.type === 'finding') {
        const where = [
          record.row_id && `row ${record.row_id}`,
          record.seq !== undefined && `seq ${record.seq}`,
        ]
          .filter(Boolean)
          .join(' ');
        const differs =
          record.expected === undefined ? '' : ` (expected ${record.expected}, found ${record.actual})`;
        violations.push({
          kind: 'ledger-audit',
          detail: `${record.kind}${where ? ` ${where}` : ''}: ${record.detail}${differs}`,
          ...(record.user_id ? { userId: record.user_id } : {}),
        });
      }
      if (record.type === 'summary') finished = true;
    }
  } finally {
    await pool.end();
  }
  if (!finished) violations.push({ kind: 'ledger-audit', detail: 'the audit ended without its summary' });
  return violations;
}
