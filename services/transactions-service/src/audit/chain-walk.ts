import type { AuditFinding } from '../../../shared/src/contracts/audit-api.ts';
import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { createRootHasher } from '../../../shared/src/ledger/checkpoint-fold.ts';
import { type RowPosition, readRowBatch, readWalletBatch, walkBatches } from './audit-ledger-reads.ts';
import type { AuditedRow } from './ledger-row-hash.ts';
import { type AuditedWallet, createWalletChainCheck } from './wallet-chain-check.ts';

/** What the walk adds up on the way: money in and out by kind, and the pinned wallets' root. */
export type ChainTotals = {
  walletsChecked: number;
  rowsChecked: number;
  balancesMinor: bigint;
  depositsMinor: bigint;
  withdrawalsMinor: bigint;
  depositReversalsMinor: bigint;
  /** Σ of the transfer, capture and reversal legs: they move money between wallets, so 0. */
  internalNetMinor: bigint;
  pinnedCount: number;
  pinnedRootHash: string;
};

/** One step of the walk: findings to report, or a wallet or row done (for progress). */
export type ChainStep = { findings: AuditFinding[]; rowsChecked: number; walletsChecked: number };

/** Pulls items one at a time out of a keyset walk of batches. */
function peekable<T>(batches: AsyncGenerator<T[]>) {
  let batch: T[] = [];
  let index = 0;
  let done = false;
  return {
    async peek(): Promise<T | undefined> {
      while (index >= batch.length && !done) {
        const next = await batches.next();
        if (next.done) done = true;
        else [batch, index] = [next.value, 0];
      }
      return batch[index];
    },
    skip() {
      index += 1;
    },
  };
}

function tally(totals: ChainTotals, row: AuditedRow): void {
  totals.rowsChecked += 1;
  switch (row.kind) {
    case 'deposit':
      totals.depositsMinor += row.balanceChangeMinor;
      break;
    case 'withdrawal':
      totals.withdrawalsMinor -= row.balanceChangeMinor;
      break;
    case 'deposit_reversal':
      totals.depositReversalsMinor -= row.balanceChangeMinor;
      break;
    default:
      totals.internalNetMinor += row.balanceChangeMinor;
  }
}

function rowWithoutWallet(row: AuditedRow): AuditFinding {
  return {
    kind: 'row-without-wallet',
    user_id: row.userId,
    row_id: row.id,
    seq: Number(row.seq),
    detail: `${row.kind} row of a wallet that does not exist`,
  };
}

/**
 * Walks every wallet (user_id order) beside every ledger row ((user_id, wallet_seq) order), one
 * batch of each in memory: checks each wallet's chain and head, and adds up the totals. Yields after
 * each wallet so the caller can report findings and progress as they come.
 */
export async function* walkChains(db: Queryable, totals: ChainTotals): AsyncGenerator<ChainStep> {
  const rows = peekable(
    walkBatches<AuditedRow, RowPosition>(
      (after) => readRowBatch(db, after),
      (row) => ({ userId: row.userId, seq: row.seq }),
    ),
  );
  const wallets = walkBatches<AuditedWallet, string>(
    (after) => readWalletBatch(db, after),
    (wallet) => wallet.userId,
  );
  const root = createRootHasher();
  for await (const batch of wallets) {
    for (const wallet of batch) {
      const findings: AuditFinding[] = [];
      let row = await rows.peek();
      for (; row && row.userId < wallet.userId; rows.skip(), row = await rows.peek())
        findings.push(rowWithoutWallet(row));
      const check = createWalletChainCheck(wallet);
      for (; row && row.userId === wallet.userId; rows.skip(), row = await rows.peek()) {
        findings.push(...check.row(row));
        tally(totals, row);
      }
      findings.push(...check.end());
      totals.walletsChecked += 1;
      totals.balancesMinor += wallet.balanceMinor;
      if (wallet.pinnedSeq !== null && wallet.pinnedHash !== null) {
        root.add(wallet.userId, wallet.pinnedSeq, wallet.pinnedHash);
        totals.pinnedCount += 1;
      }
      yield { findings, rowsChecked: totals.rowsChecked, walletsChecked: totals.walletsChecked };
    }
  }
  const findings: AuditFinding[] = [];
  for (let row = await rows.peek(); row; rows.skip(), row = await rows.peek())
    findings.push(rowWithoutWallet(row));
  totals.pinnedRootHash = root.digest();
  yield { findings, rowsChecked: totals.rowsChecked, walletsChecked: totals.walletsChecked };
}
