/** Pending holds the dashboard lists at most; past this, the first it learnt of are dropped. */
export const OPEN_HOLDS_MAX = 10_000;
/** Ended hold ids remembered, so a late hold-created or an older lookup cannot bring one back. */
export const ENDED_HOLDS_REMEMBERED_MAX = 20_000;
/**
 * The platform expires a hold about a second after `expires_at` and says so (hold-expired). A
 * hold this far past its expiry whose end we never heard of is dropped anyway.
 */
export const HOLD_EXPIRY_GRACE_MS = 60_000;

export type OpenHold = {
  holdId: string;
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  expiresAt: string;
  createdAt: string;
};

/**
 * The pending holds the dashboard knows of: from hold events and from lookups of the wallets
 * in view. Hold events travel on different topics, so a hold's end can arrive before its start:
 * ended ids are remembered (bounded) and never open again.
 */
export class OpenHolds {
  private readonly open = new Map<string, OpenHold>();
  private readonly ended = new Set<string>();
  private newestFirst: OpenHold[] | undefined;

  /** True when the list changed. */
  add(hold: OpenHold): boolean {
    if (this.ended.has(hold.holdId) || this.open.has(hold.holdId)) return false;
    // Holds mostly arrive in creation order, so the first learnt of is about the oldest: O(1).
    if (this.open.size >= OPEN_HOLDS_MAX) this.drop(this.open.keys().next().value!);
    this.open.set(hold.holdId, hold);
    this.newestFirst = undefined;
    return true;
  }

  /** Captured, voided or expired: gone from the list for good. True when the list changed. */
  end(holdId: string): boolean {
    this.ended.delete(holdId);
    this.ended.add(holdId);
    if (this.ended.size > ENDED_HOLDS_REMEMBERED_MAX) {
      this.ended.delete(this.ended.values().next().value!);
    }
    return this.drop(holdId);
  }

  /** Drops holds long past their expiry (their hold-expired never reached us). */
  pruneExpired(nowMs: number): boolean {
    let changed = false;
    for (const hold of this.open.values()) {
      if (Date.parse(hold.expiresAt) + HOLD_EXPIRY_GRACE_MS < nowMs)
        changed = this.end(hold.holdId) || changed;
    }
    return changed;
  }

  count(): number {
    return this.open.size;
  }

  /** Newest first (by creation, then id). */
  list(): readonly OpenHold[] {
    this.newestFirst ??= [...this.open.values()].sort(newerFirst);
    return this.newestFirst;
  }

  private drop(holdId: string): boolean {
    if (!this.open.delete(holdId)) return false;
    this.newestFirst = undefined;
    return true;
  }
}

function newerFirst(a: OpenHold, b: OpenHold): number {
  const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return a.holdId < b.holdId ? 1 : a.holdId > b.holdId ? -1 : 0;
}
