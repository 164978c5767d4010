import { z } from 'zod';

/**
 * The ledger audit (docs/ledger-audit.md, "Auditing"): `GET /audit` on transactions-service
 * answers `application/x-ndjson`, one JSON record a line: `progress` records while it reads the
 * ledger, a `finding` for each thing that is wrong, and one `summary` last. A stream that ends
 * without its summary did not finish.
 */
export const AUDIT_CONTENT_TYPE = 'application/x-ndjson';

/** Findings sent in full; past this only their count per kind goes on (in the summary). */
export const AUDIT_FINDINGS_MAX = 1_000;

export const auditFindingKindSchema = z.enum([
  // A wallet's chain (transactions-service).
  'chain-seq-gap',
  'chain-balance-break',
  'chain-held-break',
  'row-arithmetic',
  'row-hash-mismatch',
  'row-without-wallet',
  'wallet-head-mismatch',
  // Money as a whole.
  'money-not-conserved',
  'transfer-legs-mismatch',
  'held-mismatch',
  'hold-ledger-mismatch',
  // Outbox events.
  'event-missing',
  'event-mismatch',
  // Checkpoints.
  'checkpoint-mismatch',
  'checkpoint-root-mismatch',
  // Cross-service reconciliation (the CLI).
  'wallet-without-user',
  'user-without-wallet',
  'user-with-wallets',
]);
export type AuditFindingKind = z.infer<typeof auditFindingKindSchema>;

export const auditFindingSchema = z.object({
  kind: auditFindingKindSchema,
  user_id: z.string().optional(),
  row_id: z.string().optional(),
  seq: z.number().int().optional(),
  detail: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
});
export type AuditFinding = z.infer<typeof auditFindingSchema>;

export const auditPhaseSchema = z.enum(['chains', 'transfers', 'holds', 'events', 'checkpoints']);
export type AuditPhase = z.infer<typeof auditPhaseSchema>;

export const auditProgressSchema = z.object({
  phase: auditPhaseSchema,
  rows_checked: z.number().int(),
  rows_total: z.number().int(),
  wallets_checked: z.number().int(),
});
export type AuditProgress = z.infer<typeof auditProgressSchema>;

export const auditSummarySchema = z.object({
  ok: z.boolean(),
  /** The audit reads one snapshot of the database (REPEATABLE READ), taken at this time. */
  snapshot_at: z.string(),
  took_ms: z.number(),
  wallets: z.number().int(),
  rows: z.number().int(),
  money: z.object({
    balances_total: z.string(),
    deposits_total: z.string(),
    withdrawals_total: z.string(),
    deposit_reversals_total: z.string(),
  }),
  events: z.object({
    /** created_at of the oldest outbox row: older events are pruned, so older rows are not checked. */
    checked_since: z.string().nullable(),
    rows_checked: z.number().int(),
    rows_not_checked: z.number().int(),
  }),
  checkpoints: z.object({
    latest_id: z.number().int().nullable(),
    pinned_wallets: z.number().int(),
    /** Checkpoint records still in the outbox, each compared with the ledger. */
    records_checked: z.number().int(),
    /** Checkpoints whose root was recomputed from the folded records. */
    roots_recomputed: z.number().int(),
  }),
  findings: z.number().int(),
  findings_by_kind: z.record(z.string(), z.number().int()),
  findings_omitted: z.number().int(),
});
export type AuditSummary = z.infer<typeof auditSummarySchema>;

export const auditRecordSchema = z.discriminatedUnion('type', [
  auditProgressSchema.extend({ type: z.literal('progress') }),
  auditFindingSchema.extend({ type: z.literal('finding') }),
  auditSummarySchema.extend({ type: z.literal('summary') }),
]);
export type AuditRecord = z.infer<typeof auditRecordSchema>;
