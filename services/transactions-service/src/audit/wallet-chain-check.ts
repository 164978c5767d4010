import type { AuditFinding } from '../../../shared/src/contracts/audit-api.ts';
import { formatMinor } from '../../../shared/src/money.ts';
import { type AuditedRow, CHAIN_START_HASH, ledgerRowHash } from './ledger-row-hash.ts';

/** A wallet as the audit reads it, with its pinned (seq, hash) of the latest checkpoint, if any. */
export type AuditedWallet = {
  userId: string;
  balanceMinor: bigint;
  heldMinor: bigint;
  ledgerSeq: bigint;
  ledgerHash: string;
  pinnedSeq: bigint | null;
  pinnedHash: string | null;
};

type ChainTail = { seq: bigint; balanceMinor: bigint; heldMinor: bigint; hash: string };

export type WalletChainCheck = {
  /** Checks the wallet's next row (rows come in seq order). */
  row(row: AuditedRow): AuditFinding[];
  /** Checks the wallet's head (users row) against its last row, and that the pinned row was seen. */
  end(): AuditFinding[];
};

/**
 * Walks one wallet's rows in seq order: contiguous seq, old = previous new, new = old + change, each
 * hash recomputed over the previous row's stored hash, and the row at the pinned seq has the pinned
 * hash. Chaining over the stored hash makes an edited row show alone, not every row after it.
 */
export function createWalletChainCheck(wallet: AuditedWallet): WalletChainCheck {
  let tail: ChainTail = { seq: 0n, balanceMinor: 0n, heldMinor: 0n, hash: CHAIN_START_HASH };
  let pinnedSeen = false;
  return {
    row(row) {
      const findings = [...linkFindings(tail, row), ...arithmeticFindings(row)];
      const recomputed = ledgerRowHash(tail.hash, row);
      if (recomputed !== row.hash) {
        findings.push(
          rowFinding(
            'row-hash-mismatch',
            row,
            'the stored hash is not the hash of the row',
            recomputed,
            row.hash,
          ),
        );
      }
      if (wallet.pinnedSeq === row.seq) {
        pinnedSeen = true;
        if (wallet.pinnedHash !== row.hash) {
          findings.push(
            rowFinding(
              'checkpoint-mismatch',
              row,
              'the row at the pinned seq differs from the checkpoint',
              wallet.pinnedHash ?? '',
              row.hash,
            ),
          );
        }
      }
      tail = { seq: row.seq, balanceMinor: row.newBalanceMinor, heldMinor: row.newHeldMinor, hash: row.hash };
      return findings;
    },
    end() {
      const findings = headFindings(wallet, tail);
      if (wallet.pinnedSeq !== null && !pinnedSeen) {
        findings.push({
          kind: 'checkpoint-mismatch',
          user_id: wallet.userId,
          seq: Number(wallet.pinnedSeq),
          detail: 'the checkpoint pins a row the ledger does not have',
          expected: `seq ${wallet.pinnedSeq} with hash ${wallet.pinnedHash}`,
          actual: `last seq ${tail.seq}`,
        });
      }
      return findings;
    },
  };
}

function rowFinding(
  kind: AuditFinding['kind'],
  row: AuditedRow,
  detail: string,
  expected: string,
  actual: string,
): AuditFinding {
  return { kind, user_id: row.userId, row_id: row.id, seq: Number(row.seq), detail, expected, actual };
}

function linkFindings(tail: ChainTail, row: AuditedRow): AuditFinding[] {
  const findings: AuditFinding[] = [];
  if (row.seq !== tail.seq + 1n) {
    findings.push(
      rowFinding(
        'chain-seq-gap',
        row,
        `${row.kind} row out of sequence`,
        `seq ${tail.seq + 1n}`,
        `seq ${row.seq}`,
      ),
    );
  }
  if (row.oldBalanceMinor !== tail.balanceMinor) {
    findings.push(
      rowFinding(
        'chain-balance-break',
        row,
        'old_balance is not the previous row’s new_balance',
        formatMinor(tail.balanceMinor),
        formatMinor(row.oldBalanceMinor),
      ),
    );
  }
  if (row.oldHeldMinor !== tail.heldMinor) {
    findings.push(
      rowFinding(
        'chain-held-break',
        row,
        'old_held is not the previous row’s new_held',
        formatMinor(tail.heldMinor),
        formatMinor(row.oldHeldMinor),
      ),
    );
  }
  return findings;
}

function arithmeticFindings(row: AuditedRow): AuditFinding[] {
  const findings: AuditFinding[] = [];
  if (row.newBalanceMinor !== row.oldBalanceMinor + row.balanceChangeMinor) {
    findings.push(
      rowFinding(
        'row-arithmetic',
        row,
        'new_balance ≠ old_balance + balance_change',
        formatMinor(row.oldBalanceMinor + row.balanceChangeMinor),
        formatMinor(row.newBalanceMinor),
      ),
    );
  }
  if (row.newHeldMinor !== row.oldHeldMinor + row.heldChangeMinor) {
    findings.push(
      rowFinding(
        'row-arithmetic',
        row,
        'new_held ≠ old_held + held_change',
        formatMinor(row.oldHeldMinor + row.heldChangeMinor),
        formatMinor(row.newHeldMinor),
      ),
    );
  }
  return findings;
}

function headFindings(wallet: AuditedWallet, tail: ChainTail): AuditFinding[] {
  const checks: Array<[string, string, string]> = [
    ['ledger_seq', tail.seq.toString(), wallet.ledgerSeq.toString()],
    ['ledger_hash', tail.hash, wallet.ledgerHash],
    ['balance', formatMinor(tail.balanceMinor), formatMinor(wallet.balanceMinor)],
    ['held', formatMinor(tail.heldMinor), formatMinor(wallet.heldMinor)],
  ];
  return checks
    .filter(([, expected, actual]) => expected !== actual)
    .map(([field, expected, actual]) => ({
      kind: 'wallet-head-mismatch' as const,
      user_id: wallet.userId,
      seq: Number(tail.seq),
      detail: `the wallet's ${field} is not its last ledger row's`,
      expected,
      actual,
    }));
}
