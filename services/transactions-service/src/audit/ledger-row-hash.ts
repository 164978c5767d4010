import { createHash } from 'node:crypto';
import { formatMinor } from '../../../shared/src/money.ts';

/** The hash line 2 of a wallet's first row names: no previous row. */
export const CHAIN_START_HASH = '0'.repeat(64);
export const LEDGER_FORM_VERSION = 'wallet-ledger-v1';

/** A ledger row as the audit reads it: money in minor units, the time in microseconds since epoch. */
export type AuditedRow = {
  id: string;
  userId: string;
  seq: bigint;
  kind: string;
  balanceChangeMinor: bigint;
  oldBalanceMinor: bigint;
  newBalanceMinor: bigint;
  heldChangeMinor: bigint;
  oldHeldMinor: bigint;
  newHeldMinor: bigint;
  transferId: string | null;
  counterpartyId: string | null;
  holdId: string | null;
  reversesId: string | null;
  reason: string | null;
  timestampMicros: bigint;
  hash: string;
};

const MICROS_PER_MS = 1_000n;
const MICROS_PER_SECOND = 1_000_000n;

/** `2026-11-29T19:04:13.746097Z`: UTC with exactly six fraction digits, as line 18 wants. */
export function formatTimestampMicros(micros: bigint): string {
  const fraction = ((micros % MICROS_PER_SECOND) + MICROS_PER_SECOND) % MICROS_PER_SECOND;
  const wholeSecondMs = (micros - fraction) / MICROS_PER_MS;
  const seconds = new Date(Number(wholeSecondMs)).toISOString().slice(0, 19);
  return `${seconds}.${fraction.toString().padStart(6, '0')}Z`;
}

/**
 * SHA-256 (lower-case hex) of the row's canonical form v1 (docs/ledger-audit.md), with `prevHash`
 * in line 2. Written from the document, not from the SQL function ledger_row_hash: the two must
 * agree on every row, and the audit shows it when they do not.
 */
export function ledgerRowHash(prevHash: string, row: AuditedRow): string {
  const lines = [
    LEDGER_FORM_VERSION,
    prevHash,
    row.userId,
    row.seq.toString(),
    row.id,
    row.kind,
    formatMinor(row.balanceChangeMinor),
    formatMinor(row.oldBalanceMinor),
    formatMinor(row.newBalanceMinor),
    formatMinor(row.heldChangeMinor),
    formatMinor(row.oldHeldMinor),
    formatMinor(row.newHeldMinor),
    row.transferId ?? '',
    row.counterpartyId ?? '',
    row.holdId ?? '',
    row.reversesId ?? '',
    row.reason === null ? '' : Buffer.from(row.reason, 'utf8').toString('hex'),
    formatTimestampMicros(row.timestampMicros),
  ];
  return createHash('sha256')
    .update(`${lines.join('\n')}\n`, 'utf8')
    .digest('hex');
}
