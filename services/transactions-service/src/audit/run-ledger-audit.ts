import {
  AUDIT_FINDINGS_MAX,
  type AuditFinding,
  type AuditPhase,
  type AuditRecord,
  type AuditSummary,
} from '../../../shared/src/contracts/audit-api.ts';
import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { formatMinor } from '../../../shared/src/money.ts';
import {
  checkRecordPairs,
  checkRecordRoots,
  foldOutboxRecords,
  latestRootFindings,
  readLatestCheckpoint,
} from './audit-checkpoint-checks.ts';
import { readLedgerCounts } from './audit-ledger-reads.ts';
import {
  checkEventEntries,
  checkHeldAgainstHolds,
  checkHoldsAgainstLedger,
  checkRowsHaveEvents,
  checkTransferLegs,
  readEventCoverage,
} from './audit-set-checks.ts';
import { type ChainTotals, walkChains } from './chain-walk.ts';

/** A progress record at least this often while the chains are walked. */
export const AUDIT_PROGRESS_EVERY_ROWS = 20_000;

export type LedgerAuditOptions = { checkpointTopic: string };

/** Counts findings by kind and lets the first AUDIT_FINDINGS_MAX through. */
function createFindingSink() {
  const byKind: Record<string, number> = {};
  let total = 0;
  return {
    take(findings: AuditFinding[]): AuditRecord[] {
      const sent: AuditRecord[] = [];
      for (const finding of findings) {
        byKind[finding.kind] = (byKind[finding.kind] ?? 0) + 1;
        total += 1;
        if (total <= AUDIT_FINDINGS_MAX) sent.push({ type: 'finding', ...finding });
      }
      return sent;
    },
    byKind,
    total: () => total,
  };
}

function moneyFindings(totals: ChainTotals): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const inMinusOut = totals.depositsMinor - totals.withdrawalsMinor - totals.depositReversalsMinor;
  if (inMinusOut !== totals.balancesMinor) {
    findings.push({
      kind: 'money-not-conserved',
      detail: 'Σ balances ≠ Σ deposits − Σ withdrawals − Σ deposit reversals',
      expected: formatMinor(inMinusOut),
      actual: formatMinor(totals.balancesMinor),
    });
  }
  if (totals.internalNetMinor !== 0n) {
    findings.push({
      kind: 'money-not-conserved',
      detail: 'transfer, capture and reversal legs do not sum to zero',
      expected: '0.00',
      actual: formatMinor(totals.internalNetMinor),
    });
  }
  return findings;
}

/**
 * The whole audit (docs/ledger-audit.md, "Auditing") over `db`, which the caller has put in one
 * REPEATABLE READ snapshot: progress records, findings as they are found, and the summary last.
 * Memory stays bounded: the ledger is walked in keyset batches, the set checks run in SQL.
 */
export async function* auditLedger(db: Queryable, options: LedgerAuditOptions): AsyncGenerator<AuditRecord> {
  const startedMs = Date.now();
  const counts = await readLedgerCounts(db);
  const sink = createFindingSink();
  const totals: ChainTotals = {
    walletsChecked: 0,
    rowsChecked: 0,
    balancesMinor: 0n,
    depositsMinor: 0n,
    withdrawalsMinor: 0n,
    depositReversalsMinor: 0n,
    internalNetMinor: 0n,
    pinnedCount: 0,
    pinnedRootHash: '',
  };
  const progress = (phase: AuditPhase): AuditRecord => ({
    type: 'progress',
    phase,
    rows_checked: totals.rowsChecked,
    rows_total: counts.rows,
    wallets_checked: totals.walletsChecked,
  });

  yield progress('chains');
  let reportedRows = 0;
  for await (const step of walkChains(db, totals)) {
    yield* sink.take(step.findings);
    if (step.rowsChecked - reportedRows >= AUDIT_PROGRESS_EVERY_ROWS) {
      reportedRows = step.rowsChecked;
      yield progress('chains');
    }
  }
  yield* sink.take(moneyFindings(totals));

  yield progress('transfers');
  yield* sink.take(await checkTransferLegs(db));
  yield progress('holds');
  yield* sink.take(await checkHeldAgainstHolds(db));
  yield* sink.take(await checkHoldsAgainstLedger(db));

  yield progress('events');
  const coverage = await readEventCoverage(db);
  yield* sink.take(await checkEventEntries(db, options.checkpointTopic));
  if (coverage.sinceTime)
    yield* sink.take(await checkRowsHaveEvents(db, options.checkpointTopic, coverage.sinceTime));

  yield progress('checkpoints');
  const latest = await readLatestCheckpoint(db);
  yield* sink.take(
    latestRootFindings(latest, { rootHash: totals.pinnedRootHash, count: totals.pinnedCount }),
  );
  yield* sink.take(await checkRecordPairs(db, options.checkpointTopic));
  yield* sink.take(await checkRecordRoots(db, options.checkpointTopic));
  const fold = await foldOutboxRecords(db, options.checkpointTopic);
  yield* sink.take(fold.findings);

  const summary: AuditSummary = {
    ok: sink.total() === 0,
    snapshot_at: counts.snapshotAt,
    took_ms: Date.now() - startedMs,
    wallets: totals.walletsChecked,
    rows: totals.rowsChecked,
    money: {
      balances_total: formatMinor(totals.balancesMinor),
      deposits_total: formatMinor(totals.depositsMinor),
      withdrawals_total: formatMinor(totals.withdrawalsMinor),
      deposit_reversals_total: formatMinor(totals.depositReversalsMinor),
    },
    events: {
      checked_since: coverage.checkedSince,
      rows_checked: coverage.rowsChecked,
      rows_not_checked: coverage.rowsNotChecked,
    },
    checkpoints: {
      latest_id: latest?.checkpointId ?? null,
      pinned_wallets: totals.pinnedCount,
      records_checked: fold.recordsChecked,
      roots_recomputed: fold.rootsRecomputed,
    },
    findings: sink.total(),
    findings_by_kind: sink.byKind,
    findings_omitted: Math.max(0, sink.total() - AUDIT_FINDINGS_MAX),
  };
  yield { type: 'summary', ...summary };
}
