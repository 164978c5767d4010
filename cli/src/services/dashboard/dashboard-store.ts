import type { Hold, Wallet, WalletStatus } from '../api/transactions-api.ts';
import type { UserView } from '../api/users-api.ts';
import { isMoneyEvent, type MoneyEvent, type WalletAfter, type WalletEvent } from '../events/wallet-event.ts';
import { type OpenHold, OpenHolds } from './open-holds.ts';
import { type ReplicaHealth, sameReplicaHealth } from './replica-health.ts';
import { SeqGaps } from './seq-gaps.ts';
import { createTransferRate, type TransferRate } from './transfer-rate.ts';

/** Newest events kept for the feed. */
export const FEED_SIZE_MAX = 50;
/** Rows the dashboard holds at most; past this, new users are counted but not listed. */
export const DASHBOARD_ROWS_MAX = 1_000_000;
/**
 * Listeners hear at most one change per this many ms: bursts of events coalesce into one frame,
 * so 2,000 events/s cost 10 renders/s, not 30 (each render lays out and draws the whole screen).
 * A change after a quiet spell is heard at once (next macrotask); so is the person's own input.
 */
export const EMIT_COALESCE_MS = 100;

/** What a snapshot page (GET /wallets) tells of a wallet. */
export type WalletSnapshot = Pick<
  Wallet,
  'userId' | 'balanceMinor' | 'heldMinor' | 'availableMinor' | 'status' | 'seq' | 'createdAt'
>;

/** A wallet's balances at ledger sequence `seq`. */
type Balances = Pick<WalletAfter, 'seq' | 'balanceMinor' | 'heldMinor' | 'availableMinor'>;

export type BalanceRow = Balances & {
  userId: string;
  status: WalletStatus;
  /** occurred_at (ms) of the last status event applied: older status events and snapshots lose to it. */
  statusAtMs: number | undefined;
  /** The last change of the balance on screen (+ in, − out), for the table. */
  lastChangeMinor: bigint | undefined;
  /** When an event last changed the row (balance, held or status), to highlight it. */
  changedAtMs: number | undefined;
  createdAt: string;
};

/** How ordered application went: events older than what the store had, and seqs never seen. */
export type Ordering = { staleIgnored: number; seqsMissing: number };

/** A row as the store keeps it: with the lower-case text the filter searches (email, else user id). */
type StoredRow = BalanceRow & { searchKey: string };

/** A wallet no event has touched: ledger seq 0, nothing in it. */
const NEW_WALLET: Balances = { seq: 0, balanceMinor: 0n, heldMinor: 0n, availableMinor: 0n };

export type FeedItem = { key: string; event: WalletEvent; receivedAtMs: number };
export type PartHealth = 'unknown' | 'up' | 'down';
export type Health = { userService: PartHealth; transactionsService: PartHealth; kafka: PartHealth };
export type StatusMessage = { kind: 'info' | 'ok' | 'error'; text: string };
export type LoadState = { walletsLoaded: number; usersNamed: number; done: boolean; error?: string };

/**
 * The dashboard's state, keyed by user id. Every mutator compares before it writes and emits
 * only on change; components subscribe in an effect and read `visibleRows` for the window they
 * show, so 100,000 rows cost a slice, not a render of everything.
 */
export class DashboardStore {
  private readonly rows = new Map<string, StoredRow>();
  /** Rows in display order (oldest wallet first; new users append); see append(). */
  private readonly order: StoredRow[] = [];
  private orderSorted = true;
  private readonly emails = new Map<string, string>();
  private readonly rate: TransferRate = createTransferRate();
  private readonly listeners = new Set<() => void>();
  private filterText = '';
  /** The rows matching `filteredBy` (lower case); undefined once a row or a name changed. */
  private filtered: StoredRow[] | undefined;
  private filteredBy = '';
  /** The newest events, oldest first, up to twice FEED_SIZE_MAX before being cut (see feed()). */
  private feedItems: FeedItem[] = [];
  private feedView: readonly FeedItem[] | undefined;
  private totalMinor = 0n;
  private totalHeldMinor = 0n;
  private readonly openHolds = new OpenHolds();
  private readonly gaps = new SeqGaps();
  private staleIgnored = 0;
  private healthState: Health = { userService: 'unknown', transactionsService: 'unknown', kafka: 'unknown' };
  private replicaList: readonly ReplicaHealth[] = [];
  private statusMessage: StatusMessage | undefined;
  private loadState: LoadState = { walletsLoaded: 0, usersNamed: 0, done: false };
  private versionNumber = 0;
  private emitTimer: NodeJS.Timeout | undefined;
  private lastEmitMs = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes whenever anything visible changed. */
  version(): number {
    return this.versionNumber;
  }

  // --- reads ---------------------------------------------------------------------------------

  rowCount(): number {
    return this.visibleOrder().length;
  }

  userCount(): number {
    return this.rows.size;
  }

  visibleRows(offset: number, count: number): (BalanceRow & { email: string | undefined })[] {
    return this.visibleOrder()
      .slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, count))
      .map(({ searchKey: _searchKey, ...row }) => ({ ...row, email: this.emails.get(row.userId) }));
  }

  emailOf(userId: string): string | undefined {
    return this.emails.get(userId);
  }

  total(): bigint {
    return this.totalMinor;
  }

  /** Σ held over all wallets: money reserved by pending holds. */
  totalHeld(): bigint {
    return this.totalHeldMinor;
  }

  /** Pending holds known (from hold events and lookups), newest first. */
  holds(): readonly OpenHold[] {
    return this.openHolds.list();
  }

  ordering(): Ordering {
    return { staleIgnored: this.staleIgnored, seqsMissing: this.gaps.count() };
  }

  /** Newest first, at most FEED_SIZE_MAX; the same array until an event arrives. */
  feed(): readonly FeedItem[] {
    this.feedView ??= this.feedItems.slice(-FEED_SIZE_MAX).reverse();
    return this.feedView;
  }

  transfersPerSecond(): number[] {
    return this.rate.series(this.now());
  }

  health(): Health {
    return this.healthState;
  }

  /** Each replica behind the load balancer, in services.json's order; empty when each service runs once. */
  replicas(): readonly ReplicaHealth[] {
    return this.replicaList;
  }

  status(): StatusMessage | undefined {
    return this.statusMessage;
  }

  load(): LoadState {
    return this.loadState;
  }

  filter(): string {
    return this.filterText;
  }

  // --- writes --------------------------------------------------------------------------------

  /**
   * A page of the snapshot. Each wallet carries its ledger seq: it replaces a row only when newer
   * than what events already wrote, so a page read before an event never rolls that event back.
   */
  addWallets(wallets: WalletSnapshot[]): void {
    let changed = false;
    for (const wallet of wallets) {
      const row = this.rows.get(wallet.userId);
      if (!row) {
        changed = this.insertRow(wallet.userId, wallet, wallet.status, wallet.createdAt) || changed;
        continue;
      }
      this.gaps.coveredUpTo(row.userId, wallet.seq);
      if (wallet.seq > row.seq) {
        this.setBalances(row, wallet);
        changed = true;
      }
      // Status changes carry no seq: a status event we applied is newer than any page.
      if (row.statusAtMs === undefined && row.status !== wallet.status) {
        row.status = wallet.status;
        changed = true;
      }
    }
    this.loadState = { ...this.loadState, walletsLoaded: this.loadState.walletsLoaded + wallets.length };
    this.changed(changed || wallets.length > 0);
  }

  /** Holds looked up for the wallets in view: pending ones join the list unless an event ended them. */
  addHolds(holds: Hold[]): void {
    let changed = false;
    for (const hold of holds) {
      if (hold.status === 'pending') changed = this.openHolds.add(hold) || changed;
      else changed = this.openHolds.end(hold.holdId) || changed;
    }
    this.changed(changed);
  }

  nameUsers(users: Pick<UserView, 'user_id' | 'email'>[]): void {
    let changed = false;
    for (const user of users) changed = this.name(user.user_id, user.email) || changed;
    this.loadState = { ...this.loadState, usersNamed: this.loadState.usersNamed + users.length };
    this.changed(changed || users.length > 0);
  }

  finishLoading(error?: string): void {
    this.loadState = { ...this.loadState, done: true, ...(error ? { error } : {}) };
    this.changed(true);
  }

  /**
   * Applies a live event. Money events carry each touched wallet's balances after them and its
   * ledger seq: a wallet takes them only when newer than what it has, so events may arrive in
   * any order across topics and the screen never goes back in time; no arithmetic can drift.
   */
  applyEvent(event: WalletEvent): void {
    const nowMs = this.now();
    if (event.type === 'user-created') {
      this.name(event.userId, event.email);
      if (!this.rows.has(event.userId)) this.insertRow(event.userId, NEW_WALLET, 'active', event.occurredAt);
    } else if (isMoneyEvent(event)) {
      for (const after of event.wallets) this.applyAfter(after, event.occurredAt, nowMs);
      this.trackHold(event);
      if (event.type === 'money-transferred' || event.type === 'hold-captured') this.rate.count(nowMs);
    } else {
      this.applyStatus(event.userId, event.status, event.occurredAt, nowMs);
    }
    const key = `${event.topic}:${event.partition}:${event.offset}`;
    // Appended, and cut back now and then: thousands of events a second must not copy the feed each.
    this.feedItems.push({ key, event, receivedAtMs: nowMs });
    if (this.feedItems.length >= FEED_SIZE_MAX * 2) this.feedItems = this.feedItems.slice(-FEED_SIZE_MAX);
    this.feedView = undefined;
    this.changed(true);
  }

  setHealth(part: keyof Health, value: PartHealth): void {
    if (this.healthState[part] === value) return;
    this.healthState = { ...this.healthState, [part]: value };
    this.changed(true);
  }

  setReplicas(replicas: readonly ReplicaHealth[]): void {
    if (sameReplicaHealth(this.replicaList, replicas)) return;
    this.replicaList = replicas;
    this.changed(true);
  }

  setStatus(message: StatusMessage | undefined): void {
    if (message?.text === this.statusMessage?.text && message?.kind === this.statusMessage?.kind) return;
    this.statusMessage = message;
    this.changed(true);
  }

  /** The person typing: answered in the next frame, not after the coalescing wait. */
  setFilter(text: string): void {
    if (text === this.filterText) return;
    this.filterText = text;
    this.changed(true, { now: true });
  }

  /** Once a second: the sparkline moves even when nothing happens; long-expired holds go. */
  tick(): void {
    this.openHolds.pruneExpired(this.now());
    this.changed(true);
  }

  // --- internals -----------------------------------------------------------------------------

  /** One wallet's state after an event: applied when newer; older is counted and fills a gap. */
  private applyAfter(after: WalletAfter, occurredAt: string, nowMs: number): void {
    const row = this.rows.get(after.userId);
    if (!row) {
      if (this.insertRow(after.userId, after, 'active', occurredAt))
        this.rows.get(after.userId)!.changedAtMs = nowMs;
      return;
    }
    if (after.seq <= row.seq) {
      this.staleIgnored += 1;
      this.gaps.arrived(row.userId, after.seq);
      return;
    }
    if (after.seq > row.seq + 1) this.gaps.jumped(row.userId, row.seq, after.seq);
    const changeMinor = after.balanceMinor - row.balanceMinor;
    this.setBalances(row, after);
    if (changeMinor !== 0n) row.lastChangeMinor = changeMinor;
    row.changedAtMs = nowMs;
  }

  private trackHold(event: MoneyEvent): void {
    if (event.type === 'hold-created') {
      const { holdId, fromUserId, toUserId, amountMinor, expiresAt, occurredAt } = event;
      this.openHolds.add({ holdId, fromUserId, toUserId, amountMinor, expiresAt, createdAt: occurredAt });
    } else if (
      event.type === 'hold-captured' ||
      event.type === 'hold-voided' ||
      event.type === 'hold-expired'
    ) {
      this.openHolds.end(event.holdId);
    }
  }

  /** Status events have no seq; they are ordered by when they happened. */
  private applyStatus(userId: string, status: WalletStatus, occurredAt: string, nowMs: number): void {
    const atMs = Date.parse(occurredAt);
    let row = this.rows.get(userId);
    if (!row) {
      if (!this.insertRow(userId, NEW_WALLET, status, occurredAt)) return;
      row = this.rows.get(userId)!;
    } else if (row.statusAtMs !== undefined && atMs < row.statusAtMs) {
      this.staleIgnored += 1;
      return;
    }
    row.status = status;
    row.statusAtMs = atMs;
    row.changedAtMs = nowMs;
  }

  private insertRow(userId: string, balances: Balances, status: WalletStatus, createdAt: string): boolean {
    if (this.rows.size >= DASHBOARD_ROWS_MAX) return false;
    const row: StoredRow = {
      userId,
      seq: balances.seq,
      balanceMinor: balances.balanceMinor,
      heldMinor: balances.heldMinor,
      availableMinor: balances.availableMinor,
      status,
      statusAtMs: undefined,
      lastChangeMinor: undefined,
      changedAtMs: undefined,
      createdAt,
      searchKey: (this.emails.get(userId) ?? userId).toLowerCase(),
    };
    this.rows.set(userId, row);
    this.totalMinor += row.balanceMinor;
    this.totalHeldMinor += row.heldMinor;
    this.append(row);
    this.filtered = undefined;
    return true;
  }

  /** Display order: (createdAt, userId). */
  private readonly comesBefore = (rowA: BalanceRow, rowB: BalanceRow): number => {
    if (rowA.createdAt !== rowB.createdAt) return rowA.createdAt < rowB.createdAt ? -1 : 1;
    return rowA.userId < rowB.userId ? -1 : rowA.userId > rowB.userId ? 1 : 0;
  };

  /**
   * Pages and new users arrive in order, so a row usually goes at the end; one that does not
   * marks the order unsorted, and the next read sorts once (nearly sorted: cheap for TimSort)
   * instead of every insert moving up to 100,000 ids.
   */
  private append(row: StoredRow): void {
    const last = this.order.at(-1);
    if (last !== undefined && this.comesBefore(last, row) > 0) this.orderSorted = false;
    this.order.push(row);
  }
  private setBalances(row: BalanceRow, balances: Balances): void {
    this.totalMinor += balances.balanceMinor - row.balanceMinor;
    this.totalHeldMinor += balances.heldMinor - row.heldMinor;
    row.seq = balances.seq;
    row.balanceMinor = balances.balanceMinor;
    row.heldMinor = balances.heldMinor;
    row.availableMinor = balances.availableMinor;
  }

  private name(userId: string, email: string): boolean {
    if (this.emails.get(userId) === email) return false;
    this.emails.set(userId, email);
    const row = this.rows.get(userId);
    if (row) {
      row.searchKey = email.toLowerCase();
      this.filtered = undefined;
    }
    return true;
  }

  /**
   * The rows on screen, in order: all of them, or those whose email contains the filter. One
   * pass over the rows per keystroke; a keystroke that extends the filter searches only the
   * rows the last one matched, so typing narrows cheaply. Nothing is sorted per keystroke.
   */
  private visibleOrder(): StoredRow[] {
    if (!this.orderSorted) {
      this.order.sort(this.comesBefore);
      this.orderSorted = true;
      this.filtered = undefined;
    }
    if (this.filterText === '') return this.order;
    const needle = this.filterText.toLowerCase();
    if (this.filtered && this.filteredBy === needle) return this.filtered;
    const candidates = this.filtered && needle.includes(this.filteredBy) ? this.filtered : this.order;
    const matches: StoredRow[] = [];
    for (const row of candidates) if (row.searchKey.includes(needle)) matches.push(row);
    this.filtered = matches;
    this.filteredBy = needle;
    return matches;
  }

  private changed(really: boolean, options: { now?: boolean } = {}): void {
    if (!really) return;
    this.versionNumber += 1;
    if (this.emitTimer && !options.now) return;
    clearTimeout(this.emitTimer);
    const sinceLastMs = performance.now() - this.lastEmitMs;
    const waitMs = options.now ? 0 : Math.max(0, EMIT_COALESCE_MS - sinceLastMs);
    this.emitTimer = setTimeout(() => {
      this.emitTimer = undefined;
      this.lastEmitMs = performance.now();
      for (const listener of this.listeners) listener();
    }, waitMs);
  }
}
