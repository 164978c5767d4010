import type { WalletEvent } from './wallet-event.ts';

/**
 * The events already in Kafka, in the order they happened, for `wallet events` without --follow.
 * Kafka keeps order only within a partition, and a wallet's events spread over several topics,
 * so read as fetched a deposit can print before the `user-created` of its user.
 *
 * Two rules, the first wins where they disagree:
 * 1. Per wallet, ledger order: every money event carries each touched wallet's `seq`, and a
 *    wallet's `user-created` counts as its seq 0 (the wallet opens from it). Timestamps come from
 *    two services' clocks and a transaction's start, so they may disagree with the ledger; seq
 *    does not.
 * 2. Otherwise time order (`occurredAt`), then the record's place in Kafka, so equal times print
 *    the same way every run.
 * A topological sort (Kahn) of each wallet's seq chain, picking the earliest-in-time ready event
 * each step. Events repeated by at-least-once delivery keep both copies, one after the other.
 */
export function inTimeOrder(events: readonly WalletEvent[]): WalletEvent[] {
  const nodes = events.map((event, index) => ({ event, index, timeMs: occurredMs(event), waitingOn: 0 }));
  type Node = (typeof nodes)[number];
  const after = new Map<Node, Node[]>();
  for (const chain of walletChains(nodes)) {
    for (let step = 1; step < chain.length; step++) {
      const earlier = chain[step - 1]!;
      const later = chain[step]!;
      later.waitingOn += 1;
      const successors = after.get(earlier);
      if (successors) successors.push(later);
      else after.set(earlier, [later]);
    }
  }
  const ready = new MinHeap<Node>((a, b) => compareByTime(a, b) < 0);
  for (const node of nodes) if (node.waitingOn === 0) ready.push(node);
  const ordered: WalletEvent[] = [];
  const placed = new Set<Node>();
  for (let node = ready.pop(); node; node = ready.pop()) {
    ordered.push(node.event);
    placed.add(node);
    for (const next of after.get(node) ?? []) {
      next.waitingOn -= 1;
      if (next.waitingOn === 0) ready.push(next);
    }
  }
  // Only ledger seqs that contradict each other across wallets (a broken ledger) leave events
  // unplaced: print them anyway, by time, rather than lose them.
  const rest = nodes.filter((node) => !placed.has(node)).sort(compareByTime);
  return [...ordered, ...rest.map((node) => node.event)];

  /** Each wallet's events in seq order (ties by time): the chain rule 1 keeps. */
  function walletChains(all: Node[]): Node[][] {
    const byWallet = new Map<string, { seq: number; node: Node }[]>();
    for (const node of all) {
      for (const { userId, seq } of walletSeqs(node.event)) {
        const steps = byWallet.get(userId);
        if (steps) steps.push({ seq, node });
        else byWallet.set(userId, [{ seq, node }]);
      }
    }
    return [...byWallet.values()].map((steps) =>
      steps.sort((a, b) => a.seq - b.seq || compareByTime(a.node, b.node)).map((step) => step.node),
    );
  }
}

/** The wallets an event places in their ledger: its `wallets`, or seq 0 for `user-created`. */
function walletSeqs(event: WalletEvent): { userId: string; seq: number }[] {
  if (event.type === 'user-created') return [{ userId: event.userId, seq: 0 }];
  return 'wallets' in event ? event.wallets : [];
}

type Placed = { event: WalletEvent; index: number; timeMs: number };

function compareByTime(a: Placed, b: Placed): number {
  return (
    a.timeMs - b.timeMs ||
    a.event.topic.localeCompare(b.event.topic) ||
    a.event.partition - b.event.partition ||
    compareOffsets(a.event.offset, b.event.offset) ||
    a.index - b.index
  );
}

/** Kafka offsets are int64 as decimal text. */
function compareOffsets(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

/** An unreadable time sorts last rather than breaking the order of the rest. */
function occurredMs(event: WalletEvent): number {
  const ms = Date.parse(event.occurredAt);
  return Number.isNaN(ms) ? Number.MAX_SAFE_INTEGER : ms;
}

/** A binary heap: the next ready event in O(log n) among up to every event in Kafka. */
class MinHeap<T> {
  private readonly items: T[] = [];
  private readonly isBefore: (a: T, b: T) => boolean;

  constructor(isBefore: (a: T, b: T) => boolean) {
    this.isBefore = isBefore;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.isBefore(items[child]!, items[parent]!)) break;
      [items[child], items[parent]] = [items[parent]!, items[child]!];
      child = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let parent = 0;
    for (;;) {
      const left = parent * 2 + 1;
      const right = left + 1;
      let first = parent;
      if (left < items.length && this.isBefore(items[left]!, items[first]!)) first = left;
      if (right < items.length && this.isBefore(items[right]!, items[first]!)) first = right;
      if (first === parent) return top;
      [items[parent], items[first]] = [items[first]!, items[parent]!];
      parent = first;
    }
  }
}
