import type { Attempt, EventWallet, FaultWindow, History, LedgerRow, Violation } from './history.ts';

/** Every outbox row was published, and its event id came back when the topics were read. */
export function checkOutbox(history: History): Violation[] {
  const violations: Violation[] = [];
  for (const row of history.snapshot.outbox) {
    if (row.publishedAt === null) {
      violations.push({
        kind: 'outbox-unpublished',
        detail: `${row.service} outbox event ${row.eventId} (${row.topic}) has no published_at`,
      });
    } else if (!history.kafkaEventIds.has(row.eventId)) {
      violations.push({
        kind: 'event-not-on-kafka',
        detail: `${row.service} outbox event ${row.eventId} (${row.topic}) marked published, not on Kafka`,
      });
    }
  }
  return violations;
}

export type ServerErrorPolicy = {
  /** How long after a fault window closes a 503 still counts as caused by it (reconnects take time). */
  faultGraceMs: number;
  /** 503 codes that are part of normal operation, fault or not (e.g. WALLET_PENDING). */
  anytime503Codes: ReadonlySet<string>;
};

function overlapsFault(attempt: Attempt, faults: readonly FaultWindow[], graceMs: number): boolean {
  return faults.some(
    (fault) => attempt.startedAtMs <= fault.endedAtMs + graceMs && attempt.endedAtMs >= fault.startedAtMs,
  );
}

/** A 5xx is a bug unless it is a 503 that a dependency fault explains, or a documented anytime 503. */
export function checkServerErrors(history: History, policy: ServerErrorPolicy): Violation[] {
  const violations: Violation[] = [];
  for (const operation of history.operations) {
    for (const attempt of operation.attempts) {
      if (attempt.status === undefined || attempt.status < 500) continue;
      if (attempt.status === 503 && attempt.code && policy.anytime503Codes.has(attempt.code)) continue;
      if (attempt.status === 503 && overlapsFault(attempt, history.faults, policy.faultGraceMs)) continue;
      violations.push({
        kind: 'unexpected-5xx',
        detail: `${operation.kind} #${operation.id} got ${attempt.status} ${attempt.code ?? ''} from ${attempt.replica ?? '?'} at ${attempt.startedAtMs}`,
        operationId: operation.id,
      });
    }
  }
  return violations;
}

/** A dependency fault may cost requests, never a process: a replica that died by itself is a bug. */
export function checkNoCrashes(history: History): Violation[] {
  return (history.crashes ?? []).map((crash) => ({
    kind: 'replica-crashed' as const,
    detail: `${crash.replica} exited by itself (code ${crash.exitCode}, signal ${crash.signal}) at ${crash.atMs}`,
  }));
}

/**
 * Every ledger row is announced by exactly one money event, whose `wallets[]` entry for that
 * wallet carries the row's seq and the balances after it (available = balance − held). A consumer
 * ordering a wallet's events by seq then sees every step and notices any gap.
 */
export function checkEventWallets(history: History): Violation[] {
  const rows = new Map<string, LedgerRow>();
  for (const row of history.snapshot.transactions) rows.set(`${row.userId}/${row.seq}`, row);
  const announced = new Map<string, number>();
  const violations: Violation[] = [];
  for (const event of history.snapshot.outbox) {
    for (const wallet of event.wallets ?? []) {
      const key = `${wallet.userId}/${wallet.seq}`;
      announced.set(key, (announced.get(key) ?? 0) + 1);
      const mismatch = eventWalletMismatch(wallet, rows.get(key));
      if (!mismatch) continue;
      violations.push({
        kind: 'event-wallet-mismatch',
        detail: `event ${event.eventId} (${event.topic}) seq ${wallet.seq}: ${mismatch}`,
        userId: wallet.userId,
      });
    }
  }
  for (const [key, row] of rows) {
    const count = announced.get(key) ?? 0;
    if (count === 1) continue;
    violations.push({
      kind: 'event-wallet-mismatch',
      detail: `${row.kind} row ${row.id} (seq ${row.seq}) is in ${count} events`,
      userId: row.userId,
    });
  }
  return violations;
}

function eventWalletMismatch(wallet: EventWallet, row: LedgerRow | undefined): string | undefined {
  if (!row) return 'no ledger row has this seq';
  const mismatches: string[] = [];
  if (wallet.balanceMinor !== row.newBalanceMinor)
    mismatches.push(`balance ${wallet.balanceMinor}, row ${row.newBalanceMinor}`);
  if (wallet.heldMinor !== row.newHeldMinor)
    mismatches.push(`held ${wallet.heldMinor}, row ${row.newHeldMinor}`);
  if (wallet.availableMinor !== wallet.balanceMinor - wallet.heldMinor) {
    mismatches.push(`available ${wallet.availableMinor} ≠ balance − held`);
  }
  return mismatches.length === 0 ? undefined : mismatches.join('; ');
}
