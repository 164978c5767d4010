import type { History, HoldRow, LedgerRow, Operation, Violation } from './history.ts';

/** A hold's ledger rows: the one that reserved it, its captures (transfer_out) and its releases. */
type HoldRows = { holds: LedgerRow[]; captures: LedgerRow[]; releases: LedgerRow[] };

function rowsByHold(rows: readonly LedgerRow[]): Map<string, HoldRows> {
  const byHold = new Map<string, HoldRows>();
  for (const row of rows) {
    if (row.holdId === null) continue;
    const entry = byHold.get(row.holdId) ?? { holds: [], captures: [], releases: [] };
    if (row.kind === 'hold') entry.holds.push(row);
    else if (row.kind === 'transfer_out') entry.captures.push(row);
    else if (row.kind === 'hold_release') entry.releases.push(row);
    byHold.set(row.holdId, entry);
  }
  return byHold;
}

/** Per wallet, held = Σ amounts of the pending holds it sends. */
export function checkHeldMatchesPendingHolds(history: History): Violation[] {
  const pendingMinor = new Map<string, bigint>();
  for (const hold of history.snapshot.holds) {
    if (hold.status !== 'pending') continue;
    pendingMinor.set(hold.fromUserId, (pendingMinor.get(hold.fromUserId) ?? 0n) + hold.amountMinor);
  }
  const violations: Violation[] = [];
  for (const wallet of history.snapshot.wallets) {
    const expectedMinor = pendingMinor.get(wallet.userId) ?? 0n;
    if (wallet.heldMinor === expectedMinor) continue;
    violations.push({
      kind: 'held-mismatch',
      detail: `held ${wallet.heldMinor}, pending holds sum to ${expectedMinor}`,
      userId: wallet.userId,
    });
  }
  return violations;
}

/**
 * Every hold is resolved at most once and as its status says: reserved by one `hold` row (+amount
 * held), then captured by one `transfer_out` (at most its amount, before it expired, the whole
 * hold off held) or released by one `hold_release`, never both, never twice.
 */
export function checkHoldLifecycles(history: History): Violation[] {
  const byHold = rowsByHold(history.snapshot.transactions);
  const violations: Violation[] = [];
  for (const hold of history.snapshot.holds) {
    const rows = byHold.get(hold.holdId) ?? { holds: [], captures: [], releases: [] };
    violations.push(...resolutionViolations(hold, rows), ...amountViolations(hold, rows));
  }
  return violations;
}

function resolutionViolations(hold: HoldRow, rows: HoldRows): Violation[] {
  const violations: Violation[] = [];
  const flag = (kind: Violation['kind'], detail: string) =>
    violations.push({
      kind,
      detail: `hold ${hold.holdId} (${hold.status}): ${detail}`,
      userId: hold.fromUserId,
    });
  if (rows.captures.length > 1) flag('hold-captured-twice', `${rows.captures.length} captures`);
  if (rows.captures.length > 0 && rows.releases.length > 0) {
    const expired = hold.status === 'expired' || rows.releases.some((row) => row.idempotencyKey === null);
    flag(expired ? 'hold-captured-after-expiry' : 'hold-captured-after-void', 'both captured and released');
  }
  for (const capture of rows.captures) {
    if (capture.atMs >= hold.expiresAtMs) {
      flag('hold-captured-after-expiry', `captured at ${capture.atMs}, expired at ${hold.expiresAtMs}`);
    }
  }
  if (rows.holds.length !== 1) flag('hold-status-mismatch', `${rows.holds.length} hold rows`);
  if (rows.releases.length > 1) flag('hold-status-mismatch', `released ${rows.releases.length}×`);
  const resolutions = rows.captures.length + rows.releases.length;
  const statusAgrees =
    hold.status === 'pending'
      ? resolutions === 0
      : hold.status === 'captured'
        ? rows.captures.length >= 1 && hold.transferId === rows.captures[0]!.transferId
        : rows.releases.length >= 1;
  if (!statusAgrees)
    flag('hold-status-mismatch', `${rows.captures.length} captures, ${rows.releases.length} releases`);
  if (hold.status === 'expired' && hold.resolvedAtMs !== null && hold.resolvedAtMs < hold.expiresAtMs) {
    flag(
      'hold-status-mismatch',
      `expired at ${hold.resolvedAtMs}, before its expires_at ${hold.expiresAtMs}`,
    );
  }
  return violations;
}

function amountViolations(hold: HoldRow, rows: HoldRows): Violation[] {
  const violations: Violation[] = [];
  const flag = (kind: Violation['kind'], detail: string) =>
    violations.push({ kind, detail: `hold ${hold.holdId}: ${detail}`, userId: hold.fromUserId });
  for (const capture of rows.captures) {
    const capturedMinor = -capture.balanceChangeMinor;
    if (capturedMinor > hold.amountMinor)
      flag('capture-exceeds-hold', `captured ${capturedMinor} of ${hold.amountMinor}`);
    if (hold.capturedAmountMinor !== null && hold.capturedAmountMinor !== capturedMinor) {
      flag(
        'hold-status-mismatch',
        `captured_amount ${hold.capturedAmountMinor}, ledger moved ${capturedMinor}`,
      );
    }
  }
  if (hold.capturedAmountMinor !== null && hold.capturedAmountMinor > hold.amountMinor) {
    flag('capture-exceeds-hold', `captured_amount ${hold.capturedAmountMinor} of ${hold.amountMinor}`);
  }
  const heldChanges: [string, LedgerRow[], bigint][] = [
    ['hold', rows.holds, hold.amountMinor],
    ['capture', rows.captures, -hold.amountMinor],
    ['release', rows.releases, -hold.amountMinor],
  ];
  for (const [what, list, expectedMinor] of heldChanges) {
    for (const row of list) {
      if (row.heldChangeMinor !== expectedMinor) {
        flag(
          'held-mismatch',
          `${what} row ${row.id} changes held by ${row.heldChangeMinor}, expected ${expectedMinor}`,
        );
      }
    }
  }
  return violations;
}

/**
 * What clients were told about holds is what happened: an acknowledged capture left the hold
 * captured (with the amount asked), an acknowledged void left it voided.
 */
export function checkHoldAcks(history: History): Violation[] {
  const holds = new Map(history.snapshot.holds.map((hold) => [hold.holdId, hold]));
  const violations: Violation[] = [];
  for (const operation of history.operations) {
    if (operation.outcome !== 'ok' || operation.holdId === undefined) continue;
    if (operation.kind !== 'capture' && operation.kind !== 'void') continue;
    const hold = holds.get(operation.holdId);
    const violation = holdAckViolation(operation, hold);
    if (violation) violations.push(violation);
  }
  return violations;
}

function holdAckViolation(operation: Operation, hold: HoldRow | undefined): Violation | undefined {
  const where = `${operation.kind} #${operation.id} of hold ${operation.holdId} acknowledged`;
  if (!hold)
    return { kind: 'hold-status-mismatch', detail: `${where}, no such hold`, operationId: operation.id };
  const wanted = operation.kind === 'capture' ? 'captured' : 'voided';
  if (hold.status !== wanted) {
    return {
      kind: wrongEndKind(operation, hold),
      detail: `${where}, the hold is ${hold.status}`,
      operationId: operation.id,
    };
  }
  const askedMinor = operation.amountMinor ?? hold.amountMinor;
  if (operation.kind === 'capture' && hold.capturedAmountMinor !== askedMinor) {
    return {
      kind: 'ack-mismatch',
      detail: `${where} for ${askedMinor}, the hold captured ${hold.capturedAmountMinor}`,
      operationId: operation.id,
    };
  }
  return undefined;
}

/** The promise an acknowledged capture or void broke, by how the hold really ended. */
function wrongEndKind(operation: Operation, hold: HoldRow): Violation['kind'] {
  if (hold.status === 'pending') return 'hold-status-mismatch';
  if (operation.kind === 'capture') {
    return hold.status === 'expired' ? 'hold-captured-after-expiry' : 'hold-captured-after-void';
  }
  // An acknowledged void of a hold that ended captured, or expired (a void that late is refused).
  return hold.status === 'captured' ? 'hold-captured-after-void' : 'hold-status-mismatch';
}
