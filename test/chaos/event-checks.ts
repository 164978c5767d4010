import type { EventWallet, History, KafkaRecord, LedgerRow, Violation } from './history.ts';

/**
 * Per wallet, what consumers received from Kafka covers the wallet's ledger exactly once, in the
 * ledger's order. The contract (services/shared/src/contracts/events.ts) puts the order in each
 * money event's `wallets[].seq`, not in delivery: relays on several replicas claim outbox rows
 * with SKIP LOCKED and publish concurrently, and one wallet's events span several topics; a
 * consumer orders a wallet's events by seq, applies only what is newer, and dedupes redeliveries
 * by event id (the outbox is at-least-once). So, over the records read back:
 * - every step 1 … the wallet's final seq is announced (a gap is an event lost: event-missing);
 * - by one event id only (two events for one step are applied twice by any consumer that dedupes
 *   by id; a redelivery of one id is fine if identical): event-duplicated;
 * - each announcement carries the ledger's state at that seq: a seq stamp that does not follow
 *   the commit order (or a state no row had) sends a seq-ordering consumer wrong: event-out-of-order.
 * Absent `kafkaRecords` (a history recorded without them) there is nothing to judge.
 */
export function checkKafkaWalletEvents(history: History): Violation[] {
  const records = history.kafkaRecords;
  if (records === undefined) return [];
  const rows = new Map<string, LedgerRow>();
  for (const row of history.snapshot.transactions) rows.set(stepKey(row.userId, row.seq), row);
  const { steps, violations } = collectSteps(records, rows);
  for (const wallet of history.snapshot.wallets) {
    for (let seq = 1n; seq <= wallet.seq; seq++) {
      const eventIds = steps.get(stepKey(wallet.userId, seq));
      if (!eventIds) {
        violations.push({
          kind: 'event-missing',
          detail: `no event on Kafka announces seq ${seq} of the wallet (${rows.get(stepKey(wallet.userId, seq))?.kind ?? 'no'} row)`,
          userId: wallet.userId,
        });
      } else if (eventIds.size > 1) {
        violations.push({
          kind: 'event-duplicated',
          detail: `seq ${seq} is announced by ${eventIds.size} events: ${[...eventIds].join(', ')}`,
          userId: wallet.userId,
        });
      }
    }
  }
  return violations;
}

const stepKey = (userId: string, seq: bigint) => `${userId}/${seq}`;

const entryText = (entry: EventWallet) =>
  `seq ${entry.seq} balance ${entry.balanceMinor} held ${entry.heldMinor} available ${entry.availableMinor}`;

/** The events announcing each (wallet, seq), and the announcements that contradict the ledger. */
function collectSteps(
  records: readonly KafkaRecord[],
  rows: ReadonlyMap<string, LedgerRow>,
): { steps: Map<string, Set<string>>; violations: Violation[] } {
  const steps = new Map<string, Set<string>>();
  const contentById = new Map<string, string>();
  const violations: Violation[] = [];
  for (const record of records) {
    if (record.wallets === undefined) continue;
    const content = record.wallets.map(entryText).join('; ');
    const earlier = contentById.get(record.eventId);
    if (earlier !== undefined) {
      // A redelivery: harmless when it is the same event, a second event under one id if not.
      if (earlier !== content) {
        violations.push({
          kind: 'event-duplicated',
          detail: `event ${record.eventId} delivered twice with different wallets: [${earlier}] then [${content}] (${record.topic}/${record.partition}@${record.offset})`,
        });
      }
      continue;
    }
    contentById.set(record.eventId, content);
    for (const entry of record.wallets) {
      const key = stepKey(entry.userId, entry.seq);
      steps.set(key, (steps.get(key) ?? new Set<string>()).add(record.eventId));
      const mismatch = ledgerMismatch(entry, rows.get(key));
      if (mismatch === undefined) continue;
      violations.push({
        kind: 'event-out-of-order',
        detail: `event ${record.eventId} (${record.topic}/${record.partition}@${record.offset}) says ${entryText(entry)}: ${mismatch}`,
        userId: entry.userId,
      });
    }
  }
  return { steps, violations };
}

function ledgerMismatch(entry: EventWallet, row: LedgerRow | undefined): string | undefined {
  if (!row) return 'the wallet has no ledger row with this seq';
  if (
    entry.balanceMinor === row.newBalanceMinor &&
    entry.heldMinor === row.newHeldMinor &&
    entry.availableMinor === entry.balanceMinor - entry.heldMinor
  )
    return undefined;
  return `the ledger's row ${row.id} at this seq left balance ${row.newBalanceMinor}, held ${row.newHeldMinor}`;
}
