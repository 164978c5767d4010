import type { History, LedgerRow, Operation, OperationKind, Violation } from './history.ts';

/** The operations that move money (or reserve it) and write ledger rows under their key. */
export type MoneyKind = Extract<
  OperationKind,
  'deposit' | 'withdrawal' | 'transfer' | 'hold' | 'capture' | 'void' | 'reverse_transfer' | 'reverse_deposit'
>;
const MONEY_KINDS: ReadonlySet<OperationKind> = new Set<MoneyKind>([
  'deposit',
  'withdrawal',
  'transfer',
  'hold',
  'capture',
  'void',
  'reverse_transfer',
  'reverse_deposit',
]);

/**
 * One time the ledger shows a command's effect: a single row (deposit, withdrawal, hold, void,
 * deposit reversal), or both legs of one transfer (a plain one, a capture, a transfer reversal).
 */
export type Application = {
  kind: MoneyKind;
  amountMinor: bigint;
  /** The wallet of a single-row command, or the paying side of a two-leg one. */
  userId: string;
  targetUserId?: string;
  /** The row id of a single-row command. */
  transactionId?: string;
  transferId?: string;
  holdId?: string;
  reversesId?: string;
  newBalanceMinor?: bigint;
  newHeldMinor?: bigint;
  targetNewBalanceMinor?: bigint;
};

function kindOfRow(row: LedgerRow): MoneyKind {
  switch (row.kind) {
    case 'deposit':
    case 'withdrawal':
    case 'hold':
      return row.kind;
    case 'hold_release':
      return 'void';
    case 'transfer_out':
    case 'transfer_in':
      return row.holdId === null ? 'transfer' : 'capture';
    case 'reversal_out':
    case 'reversal_in':
      return 'reverse_transfer';
    case 'deposit_reversal':
      return 'reverse_deposit';
  }
}

const PAYING_LEGS: ReadonlySet<LedgerRow['kind']> = new Set(['transfer_out', 'reversal_out']);
const RECEIVING_LEGS: ReadonlySet<LedgerRow['kind']> = new Set(['transfer_in', 'reversal_in']);

/** Fills an application's side from one row: the paying (or only) side, or the receiving leg. */
function applyRow(application: Application, row: LedgerRow): void {
  if (RECEIVING_LEGS.has(row.kind)) {
    application.targetUserId = row.userId;
    application.targetNewBalanceMinor = row.newBalanceMinor;
    return;
  }
  const changeMinor =
    row.kind === 'hold' || row.kind === 'hold_release' ? row.heldChangeMinor : row.balanceChangeMinor;
  application.amountMinor = changeMinor < 0n ? -changeMinor : changeMinor;
  application.userId = row.userId;
  application.newBalanceMinor = row.newBalanceMinor;
  application.newHeldMinor = row.newHeldMinor;
  if (!PAYING_LEGS.has(row.kind)) application.transactionId = row.id;
}

/**
 * Groups the ledger by idempotency key into applications. A two-leg command counts once however
 * many of its legs carry the key; a single-row command counts once per row.
 */
export function applicationsByKey(rows: readonly LedgerRow[]): Map<string, Application[]> {
  const byKey = new Map<string, Application[]>();
  const byTransfer = new Map<string, Application>();
  for (const row of rows) {
    if (row.idempotencyKey === null) continue;
    const twoLegged = row.transferId !== null;
    let application = twoLegged ? byTransfer.get(row.transferId!) : undefined;
    if (!application) {
      application = {
        kind: kindOfRow(row),
        amountMinor: 0n,
        userId: '',
        transferId: row.transferId ?? undefined,
        holdId: row.holdId ?? undefined,
        reversesId: row.reversesId ?? undefined,
      };
      if (twoLegged) byTransfer.set(row.transferId!, application);
      byKey.set(row.idempotencyKey, [...(byKey.get(row.idempotencyKey) ?? []), application]);
    }
    applyRow(application, row);
  }
  // A two-leg command whose key sits on one leg only still needs the other leg to be judged.
  for (const row of rows) {
    if (row.transferId === null || row.idempotencyKey !== null) continue;
    const application = byTransfer.get(row.transferId);
    if (application) applyRow(application, row);
  }
  return byKey;
}

/** Money that left the system (withdrawals, deposit reversals) or came in (deposits), by outcome. */
type Flows = { ackedInMinor: bigint; ackedOutMinor: bigint; unknownInMinor: bigint; unknownOutMinor: bigint };

/** What an operation took out at most: the amount asked, else what it was told, else all of the original. */
function outAmountMinor(operation: Operation): bigint {
  return operation.amountMinor ?? operation.result?.amountMinor ?? operation.originalAmountMinor ?? 0n;
}

function flowsOf(operations: readonly Operation[]): Flows {
  const flows: Flows = { ackedInMinor: 0n, ackedOutMinor: 0n, unknownInMinor: 0n, unknownOutMinor: 0n };
  for (const operation of operations) {
    const acked = operation.outcome === 'ok';
    const unknown = operation.outcome === 'info';
    if (operation.kind === 'deposit' && operation.amountMinor !== undefined) {
      if (acked) flows.ackedInMinor += operation.amountMinor;
      if (unknown) flows.unknownInMinor += operation.amountMinor;
    } else if (operation.kind === 'withdrawal' || operation.kind === 'reverse_deposit') {
      if (acked) flows.ackedOutMinor += outAmountMinor(operation);
      if (unknown) flows.unknownOutMinor += outAmountMinor(operation);
    }
  }
  return flows;
}

/**
 * Total money = start + acknowledged deposits − acknowledged withdrawals − acknowledged deposit
 * reversals, give or take the operations whose outcome is unknown: each of those counts at most
 * once, so the total lies in [expected − unknown out, expected + unknown in]. Transfers, holds,
 * captures and transfer reversals move money, never make or destroy it.
 */
export function checkConservation(history: History): Violation[] {
  const flows = flowsOf(history.operations);
  const totalMinor = history.snapshot.wallets.reduce((sum, wallet) => sum + wallet.balanceMinor, 0n);
  const expectedMinor = history.startTotalMinor + flows.ackedInMinor - flows.ackedOutMinor;
  const lowMinor = expectedMinor - flows.unknownOutMinor;
  const highMinor = expectedMinor + flows.unknownInMinor;
  if (totalMinor >= lowMinor && totalMinor <= highMinor) return [];
  return [
    {
      kind: 'money-not-conserved',
      detail: `total ${totalMinor} outside [${lowMinor}, ${highMinor}] (start ${history.startTotalMinor}, acked in ${flows.ackedInMinor}, acked out ${flows.ackedOutMinor}, unknown in ${flows.unknownInMinor}, unknown out ${flows.unknownOutMinor})`,
    },
  ];
}

/**
 * ok → exactly once, info → at most once, fail → never; and always with the amount asked for.
 * Capture and void are idempotent on the hold itself: an acknowledged second capture or void
 * (another key) writes nothing, so for them "ok" means at most once under the key, and the hold
 * checks prove the hold was resolved the way the client was told.
 */
export function checkApplications(history: History): Violation[] {
  const byKey = applicationsByKey(history.snapshot.transactions);
  const holdAmounts = new Map(history.snapshot.holds.map((hold) => [hold.holdId, hold.amountMinor]));
  const violations: Violation[] = [];
  for (const operation of history.operations) {
    if (!MONEY_KINDS.has(operation.kind) || operation.idempotencyKey === undefined) continue;
    const applications = byKey.get(operation.idempotencyKey) ?? [];
    violations.push(...countViolations(operation, applications.length));
    for (const application of applications) {
      violations.push(...shapeViolations(operation, application, holdAmounts));
    }
    if (operation.outcome === 'ok' && applications.length === 1) {
      violations.push(...ackViolations(operation, applications[0]!));
    }
  }
  return violations;
}

function countViolations(operation: Operation, count: number): Violation[] {
  const where = `${operation.kind} #${operation.id} (key ${operation.idempotencyKey})`;
  const resolvesHold = operation.kind === 'capture' || operation.kind === 'void';
  if (operation.outcome === 'ok' && (resolvesHold ? count > 1 : count !== 1)) {
    return [
      {
        kind: 'acked-not-applied-once',
        detail: `${where} acknowledged, applied ${count}×`,
        operationId: operation.id,
      },
    ];
  }
  if (operation.outcome === 'info' && count > 1) {
    return [
      {
        kind: 'unknown-applied-twice',
        detail: `${where} outcome unknown, applied ${count}×`,
        operationId: operation.id,
      },
    ];
  }
  if (operation.outcome === 'fail' && count > 0) {
    return [
      {
        kind: 'refused-but-applied',
        detail: `${where} refused, applied ${count}×`,
        operationId: operation.id,
      },
    ];
  }
  return [];
}

/** Who pays (or the only wallet) and who receives, as the operation asked. */
function askedSides(operation: Operation): { source?: string; target?: string } {
  switch (operation.kind) {
    case 'transfer':
    case 'hold':
    case 'capture':
    case 'void':
      return { source: operation.sourceUserId, target: operation.targetUserId };
    case 'reverse_transfer':
      // Money goes back from the original receiver to the original sender.
      return { source: operation.targetUserId, target: operation.sourceUserId };
    default:
      return { source: operation.userId };
  }
}

function shapeViolations(
  operation: Operation,
  application: Application,
  holdAmounts: ReadonlyMap<string, bigint>,
): Violation[] {
  const mismatches: string[] = [];
  if (application.kind !== operation.kind) mismatches.push(`ledger shows a ${application.kind}`);
  const askedMinor =
    operation.kind === 'capture' && operation.amountMinor === undefined
      ? holdAmounts.get(operation.holdId ?? '')
      : operation.amountMinor;
  if (askedMinor !== undefined && application.amountMinor !== askedMinor) {
    mismatches.push(`amount asked ${askedMinor}, ledger ${application.amountMinor}`);
  }
  const { source, target } = askedSides(operation);
  if (source !== undefined && application.userId !== source) {
    mismatches.push(`wallet asked ${source}, ledger ${application.userId}`);
  }
  if (
    target !== undefined &&
    operation.kind !== 'hold' &&
    operation.kind !== 'void' &&
    application.targetUserId !== target
  ) {
    mismatches.push(`receiver asked ${target}, ledger ${application.targetUserId ?? 'none'}`);
  }
  if (operation.holdId !== undefined && application.holdId !== operation.holdId) {
    mismatches.push(`hold asked ${operation.holdId}, ledger ${application.holdId ?? 'none'}`);
  }
  if (operation.originalId !== undefined && application.reversesId !== operation.originalId) {
    mismatches.push(`reverses asked ${operation.originalId}, ledger ${application.reversesId ?? 'none'}`);
  }
  if (mismatches.length === 0) return [];
  return [
    {
      kind: 'applied-wrong-amount',
      detail: `${operation.kind} #${operation.id}: ${mismatches.join('; ')}`,
      operationId: operation.id,
    },
  ];
}

/** What the client was told must be what the ledger holds. */
function ackViolations(operation: Operation, application: Application): Violation[] {
  const result = operation.result;
  if (!result) return [];
  const mismatches: string[] = [];
  const compare = (field: string, told: unknown, stored: unknown) => {
    if (told !== undefined && told !== stored) mismatches.push(`${field} told ${told}, stored ${stored}`);
  };
  const availableMinor =
    application.newBalanceMinor !== undefined && application.newHeldMinor !== undefined
      ? application.newBalanceMinor - application.newHeldMinor
      : undefined;
  compare('balance', result.balanceMinor, application.newBalanceMinor);
  compare('held', result.heldMinor, application.newHeldMinor);
  compare('available_balance', result.availableMinor, availableMinor);
  compare('from_balance', result.sourceBalanceMinor, application.newBalanceMinor);
  compare('to_balance', result.targetBalanceMinor, application.targetNewBalanceMinor);
  compare('amount', result.amountMinor, application.amountMinor);
  if (operation.kind === 'hold') compare('hold amount', result.holdAmountMinor, application.amountMinor);
  compare('captured_amount', result.capturedAmountMinor, application.amountMinor);
  compare('transaction_id', result.transactionId, application.transactionId);
  compare('transfer_id', result.transferId, application.transferId);
  compare('hold_id', result.holdId, application.holdId);
  const reversalId =
    operation.kind === 'reverse_transfer' ? application.transferId : application.transactionId;
  compare('reversal_id', result.reversalId, reversalId);
  if (mismatches.length === 0) return [];
  return [
    {
      kind: 'ack-mismatch',
      detail: `${operation.kind} #${operation.id}: ${mismatches.join('; ')}`,
      operationId: operation.id,
    },
  ];
}

/**
 * No balance or held amount below zero and no available money below zero (held never above the
 * balance): not in any response, any ledger row, or the final wallets.
 */
export function checkNoNegativeBalance(history: History): Violation[] {
  const violations: Violation[] = [];
  const flag = (what: string, minor: bigint | undefined, userId?: string, operationId?: number) => {
    if (minor !== undefined && minor < 0n) {
      const kind = what.includes('available') ? 'available-negative' : 'negative-balance';
      violations.push({ kind, detail: `${what} = ${minor}`, userId, operationId });
    }
  };
  for (const operation of history.operations) {
    if (operation.outcome !== 'ok' || !operation.result) continue;
    const { balanceMinor, heldMinor, availableMinor, sourceBalanceMinor, targetBalanceMinor } =
      operation.result;
    const where = `${operation.kind} #${operation.id}`;
    const wallet = operation.userId ?? operation.sourceUserId;
    flag(`${where} balance`, balanceMinor, wallet, operation.id);
    flag(`${where} held`, heldMinor, wallet, operation.id);
    flag(`${where} available_balance`, availableMinor, wallet, operation.id);
    flag(`${where} from_balance`, sourceBalanceMinor, operation.sourceUserId, operation.id);
    flag(`${where} to_balance`, targetBalanceMinor, operation.targetUserId, operation.id);
  }
  for (const row of history.snapshot.transactions) {
    flag(`row ${row.id} old_balance`, row.oldBalanceMinor, row.userId);
    flag(`row ${row.id} new_balance`, row.newBalanceMinor, row.userId);
    flag(`row ${row.id} new_held`, row.newHeldMinor, row.userId);
    flag(
      `row ${row.id} available after (new_balance − new_held)`,
      row.newBalanceMinor - row.newHeldMinor,
      row.userId,
    );
  }
  for (const wallet of history.snapshot.wallets) {
    flag('final balance', wallet.balanceMinor, wallet.userId);
    flag('final held', wallet.heldMinor, wallet.userId);
    flag('final available (balance − held)', wallet.balanceMinor - wallet.heldMinor, wallet.userId);
  }
  return violations;
}
