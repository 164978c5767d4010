import { createHash } from 'node:crypto';
import type { LedgerCheckpointEvent } from '../contracts/events.ts';

/** The checkpoint root: SHA-256 over `<user_id> <seq> <hash>\n` of every wallet, in user_id order. */
export type RootHasher = { add(userId: string, seq: bigint | number, hash: string): void; digest(): string };

export function createRootHasher(): RootHasher {
  const hash = createHash('sha256');
  return {
    add(userId, seq, walletHash) {
      hash.update(`${userId} ${seq} ${walletHash}\n`, 'utf8');
    },
    digest: () => hash.digest('hex'),
  };
}

export type PinnedPair = { seq: number; hash: string };

/** A checkpoint whose parts all arrived: its stated root and count, and what the fold recomputes. */
export type FoldedCheckpoint = {
  checkpointId: number;
  rootHash: string;
  walletCount: number;
  /** Undefined when the fold did not start at the first checkpoint, or recomputing was skipped. */
  recomputedRoot: string | undefined;
  recomputedCount: number;
};

/** Orders records by (checkpoint_id, part) in one number: 2,000 wallets a part, a million parts is 2e9 wallets. */
const PARTS_PER_CHECKPOINT_MAX = 1_000_000;

/** Root lines hashed in all before the fold stops recomputing (a bound on a long history's cost). */
export const FOLD_ROOT_LINES_MAX = 50_000_000;

/**
 * Folds `ledger-checkpoints` records in (checkpoint_id, part) order, each once (docs/ledger-audit.md): each wallet's latest pinned
 * (seq, hash), and at the last part of each checkpoint its root recomputed over the fold. Only a
 * fold that starts at checkpoint 1 knows every wallet, so only then are roots recomputed.
 */
export function createCheckpointFold() {
  const pinned = new Map<string, PinnedPair>();
  let sortedIds: string[] = [];
  let unsorted = false;
  let complete: boolean | undefined;
  let linesHashed = 0;
  let lastPosition = 0;

  function recompute(): string | undefined {
    if (!complete || linesHashed + pinned.size > FOLD_ROOT_LINES_MAX) return undefined;
    if (unsorted) {
      sortedIds = [...pinned.keys()].sort();
      unsorted = false;
    }
    const hasher = createRootHasher();
    for (const userId of sortedIds) {
      const pair = pinned.get(userId) as PinnedPair;
      hasher.add(userId, pair.seq, pair.hash);
    }
    linesHashed += pinned.size;
    return hasher.digest();
  }

  return {
    pinned: pinned as ReadonlyMap<string, PinnedPair>,
    /** Adds one record; returns the checkpoint when this was its last part. */
    add(record: LedgerCheckpointEvent): FoldedCheckpoint | undefined {
      // Delivery is at least once: a record at or before the last one folded is a repeat.
      const position = record.checkpoint_id * PARTS_PER_CHECKPOINT_MAX + record.part;
      if (position <= lastPosition) return undefined;
      lastPosition = position;
      complete ??= record.checkpoint_id === 1 && record.part === 1;
      for (const wallet of record.wallets) {
        if (!pinned.has(wallet.user_id)) unsorted = true;
        pinned.set(wallet.user_id, { seq: wallet.seq, hash: wallet.hash });
      }
      if (record.part !== record.parts) return undefined;
      return {
        checkpointId: record.checkpoint_id,
        rootHash: record.root_hash,
        walletCount: record.wallet_count,
        recomputedRoot: recompute(),
        recomputedCount: pinned.size,
      };
    },
  };
}
