/** Missing sequence numbers remembered per wallet; a longer jump keeps only its newest ones. */
export const MISSING_SEQS_PER_WALLET_MAX = 100;
/** Missing sequence numbers remembered over all wallets. */
export const MISSING_SEQS_MAX = 100_000;

/**
 * The ledger sequence numbers the dashboard jumped over: it applied seq 9 of a wallet that was
 * at 7, so 8 has not arrived. Events of one wallet travel on several topics, so 8 may still come
 * (late, and then stale: it fills the gap and changes nothing). A snapshot at seq ≥ 8 covers it.
 */
export class SeqGaps {
  private readonly missing = new Map<string, Set<number>>();
  private missingCount = 0;

  /** The wallet went from `fromSeq` straight to `toSeq`: what lies between is missing. */
  jumped(userId: string, fromSeq: number, toSeq: number): void {
    const firstMissing = Math.max(fromSeq + 1, toSeq - MISSING_SEQS_PER_WALLET_MAX);
    for (let seq = firstMissing; seq < toSeq; seq += 1) {
      if (this.missingCount >= MISSING_SEQS_MAX) return;
      const seqs = this.missing.get(userId) ?? new Set<number>();
      this.missing.set(userId, seqs);
      if (seqs.size >= MISSING_SEQS_PER_WALLET_MAX) return;
      if (!seqs.has(seq)) {
        seqs.add(seq);
        this.missingCount += 1;
      }
    }
  }

  /** A late (stale) event arrived after all: its seq is no longer missing. True when it was. */
  arrived(userId: string, seq: number): boolean {
    return this.forget(userId, (missingSeq) => missingSeq === seq);
  }

  /** A snapshot at `seq` includes everything up to it. True when that closed a gap. */
  coveredUpTo(userId: string, seq: number): boolean {
    return this.forget(userId, (missingSeq) => missingSeq <= seq);
  }

  /** Sequence numbers still missing, over all wallets. */
  count(): number {
    return this.missingCount;
  }

  private forget(userId: string, covered: (seq: number) => boolean): boolean {
    const seqs = this.missing.get(userId);
    if (!seqs) return false;
    let forgotten = 0;
    for (const seq of seqs) {
      if (covered(seq)) {
        seqs.delete(seq);
        forgotten += 1;
      }
    }
    if (seqs.size === 0) this.missing.delete(userId);
    this.missingCount -= forgotten;
    return forgotten > 0;
  }
}
