import type { Wallet } from '../api/transactions-api.ts';
import type { UserView } from '../api/users-api.ts';
import type { WalletEvent } from '../events/wallet-event.ts';
import { createTransferRate, type TransferRate } from './transfer-rate.ts';

/** Newest events kept for the feed. */
export const FEED_SIZE_MAX = 50;
/** Rows the dashboard holds at most; past this, new users are counted but not listed. */
export const DASHBOARD_ROWS_MAX = 1_000_000;
/** Listeners hear at most one change per this many ms: bursts of events coalesce into one frame. */
export const EMIT_COALESCE_MS = 33;

export type BalanceRow = {
  userId: string;
  balanceMinor: bigint;
  /** The last change an event brought (+ deposit or incoming, − outgoing), for the table. */
  lastChangeMinor: bigint | undefined;
  changedAtMs: number | undefined;
  /** Set once an event wrote the balance: an older snapshot page must not overwrite it. */
  fromEvent: boolean;
  createdAt: string;
};

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
  private readonly rows = new Map<string, BalanceRow>();
  /** User ids in display order (oldest wallet first; new users append). */
  private readonly order: string[] = [];
  private readonly emails = new Map<string, string>();
  private readonly rate: TransferRate = createTransferRate();
  private readonly listeners = new Set<() => void>();
  private filterText = '';
  private filtered: string[] | undefined;
  private feedItems: FeedItem[] = [];
  private totalMinor = 0n;
  private healthState: Health = { userService: 'unknown', transactionsService: 'unknown', kafka: 'unknown' };
  private statusMessage: StatusMessage | undefined;
  private loadState: LoadState = { walletsLoaded: 0, usersNamed: 0, done: false };
  private versionNumber = 0;
  private emitTimer: NodeJS.Timeout | undefined;
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
      .map((userId) => ({ ...this.rows.get(userId)!, email: this.emails.get(userId) }));
  }

  emailOf(userId: string): string | undefined {
    return this.emails.get(userId);
  }

  total(): bigint {
    return this.totalMinor;
  }

  feed(): readonly FeedItem[] {
    return this.feedItems;
  }

  transfersPerSecond(): number[] {
    return this.rate.series(this.now());
  }

  health(): Health {
    return this.healthState;
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

  /** A page of the initial snapshot. Rows an event already wrote keep the event's (newer) balance. */
  addWallets(wallets: Wallet[]): void {
    let changed = false;
    for (const wallet of wallets) {
      const row = this.rows.get(wallet.userId);
      if (!row) changed = this.insertRow(wallet.userId, wallet.balanceMinor, wallet.createdAt) || changed;
      else if (!row.fromEvent && row.balanceMinor !== wallet.balanceMinor) {
        this.setBalance(row, wallet.balanceMinor);
        changed = true;
      }
    }
    this.loadState = { ...this.loadState, walletsLoaded: this.loadState.walletsLoaded + wallets.length };
    this.changed(changed || wallets.length > 0);
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

  /** Applies a live event: balances are the ones after the event, so no arithmetic can drift. */
  applyEvent(event: WalletEvent): void {
    const nowMs = this.now();
    if (event.type === 'user-created') {
      this.name(event.userId, event.email);
      if (!this.rows.has(event.userId)) this.insertRow(event.userId, 0n, event.occurredAt);
    } else if (event.type === 'money-added') {
      this.writeFromEvent(event.userId, event.balanceMinor, event.amountMinor, event.occurredAt, nowMs);
    } else {
      this.writeFromEvent(
        event.fromUserId,
        event.fromBalanceMinor,
        -event.amountMinor,
        event.occurredAt,
        nowMs,
      );
      this.writeFromEvent(event.toUserId, event.toBalanceMinor, event.amountMinor, event.occurredAt, nowMs);
      this.rate.count(nowMs);
    }
    const key = `${event.topic}:${event.partition}:${event.offset}`;
    this.feedItems = [{ key, event, receivedAtMs: nowMs }, ...this.feedItems].slice(0, FEED_SIZE_MAX);
    this.changed(true);
  }

  setHealth(part: keyof Health, value: PartHealth): void {
    if (this.healthState[part] === value) return;
    this.healthState = { ...this.healthState, [part]: value };
    this.changed(true);
  }

  setStatus(message: StatusMessage | undefined): void {
    if (message?.text === this.statusMessage?.text && message?.kind === this.statusMessage?.kind) return;
    this.statusMessage = message;
    this.changed(true);
  }

  setFilter(text: string): void {
    if (text === this.filterText) return;
    this.filterText = text;
    this.filtered = undefined;
    this.changed(true);
  }

  /** Once a second: the sparkline moves even when nothing happens. */
  tick(): void {
    this.changed(true);
  }

  // --- internals -----------------------------------------------------------------------------

  private writeFromEvent(
    userId: string,
    balanceMinor: bigint,
    changeMinor: bigint,
    at: string,
    nowMs: number,
  ) {
    let row = this.rows.get(userId);
    if (!row) {
      if (!this.insertRow(userId, balanceMinor, at)) return;
      row = this.rows.get(userId)!;
    }
    this.setBalance(row, balanceMinor);
    row.fromEvent = true;
    row.lastChangeMinor = changeMinor;
    row.changedAtMs = nowMs;
  }

  private insertRow(userId: string, balanceMinor: bigint, createdAt: string): boolean {
    if (this.rows.size >= DASHBOARD_ROWS_MAX) return false;
    const row: BalanceRow = {
      userId,
      balanceMinor,
      lastChangeMinor: undefined,
      changedAtMs: undefined,
      fromEvent: false,
      createdAt,
    };
    this.rows.set(userId, row);
    this.totalMinor += balanceMinor;
    this.order.splice(this.insertionIndex(row), 0, userId);
    this.filtered = undefined;
    return true;
  }

  /** Binary search on (createdAt, userId); pages and new users arrive in order, so this is usually the end. */
  private insertionIndex(row: BalanceRow): number {
    const before = (userId: string) => {
      const other = this.rows.get(userId)!;
      return (
        other.createdAt < row.createdAt || (other.createdAt === row.createdAt && other.userId < row.userId)
      );
    };
    const last = this.order.at(-1);
    if (last === undefined || before(last)) return this.order.length;
    let low = 0;
    let high = this.order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(this.order[middle]!)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private setBalance(row: BalanceRow, balanceMinor: bigint): void {
    this.totalMinor += balanceMinor - row.balanceMinor;
    row.balanceMinor = balanceMinor;
  }

  private name(userId: string, email: string): boolean {
    if (this.emails.get(userId) === email) return false;
    this.emails.set(userId, email);
    if (this.filterText !== '') this.filtered = undefined;
    return true;
  }

  private visibleOrder(): string[] {
    if (this.filterText === '') return this.order;
    if (!this.filtered) {
      const needle = this.filterText.toLowerCase();
      this.filtered = this.order.filter((userId) =>
        (this.emails.get(userId) ?? userId).toLowerCase().includes(needle),
      );
    }
    return this.filtered;
  }

  private changed(really: boolean): void {
    if (!really) return;
    this.versionNumber += 1;
    if (this.emitTimer) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = undefined;
      for (const listener of this.listeners) listener();
    }, EMIT_COALESCE_MS);
  }
}
