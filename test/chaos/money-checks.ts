import type { History, LedgerRow, Operation, Violation } from './history.ts';

/** One time the ledger shows an operation's effect: a deposit row, or both legs of one transfer. */
export type Application = {
  amountMinor: bigint;
  /** The deposit's wallet, or the transfer's source. */
  userId: string;
  targetUserId?: string;
  transactionId?: string;
  transferId?: string;
  newBalanceMinor?: bigint;
  targetNewBalanceMinor?: bigint;
};

/**
 * Groups the ledger by idempotency key into applications. A transfer counts once however many
 * of its legs carry the key; a deposit counts once per row.
 */
export function applicationsByKey(rows: readonly LedgerRow[]): Map<string, Application[]> {
  const byKey = new Map<string, Application[]>();
  const transfers = new Map<string, Application>();
  const add = (key: string, application: Application) => {
    const list = byKey.get(key) ?? [];
    list.push(application);
    byKey.set(key, list);
  };
  for (const row of rows) {
    if (row.idempotencyKey === null) continue;
    if (row.kind === 'deposit') {
      add(row.idempotencyKey, {
        amountMinor: row.balanceChangeMinor,
        userId: row.userId,
        transactionId: row.id,
        newBalanceMinor: row.newBalanceMinor,
      });
      continue;
    }
    const transferId = row.transferId ?? `(no transfer id on row ${row.id})`;
    let application = transfers.get(transferId);
    if (!application) {
      application = { amountMinor: 0n, userId: '', transferId };
      transfers.set(transferId, application);
      add(row.idempotencyKey, application);
    }
    if (row.kind === 'transfer_out') {
      application.amountMinor = -row.balanceChangeMinor;
      application.userId = row.userId;
      application.newBalanceMinor = row.newBalanceMinor;
    } else {
      application.targetUserId = row.userId;
      application.targetNewBalanceMinor = row.newBalanceMinor;
    }
  }
  fillMissingLegs(rows, transfers);
  return byKey;
}

/** A transfer whose key sits on one leg only still needs the other leg's side to be judged. */
function fillMissingLegs(rows: readonly LedgerRow[], transfers: Map<string, Application>): void {
  for (const row of rows) {
    if (row.transferId === null || row.idempotencyKey !== null) continue;
    const application = transfers.get(row.transferId);
    if (!application) continue;
    if (row.kind === 'transfer_out') {
      application.amountMinor = -row.balanceChangeMinor;
      application.userId = row.userId;
      application.newBalanceMinor = row.newBalanceMinor;
    } else if (row.kind === 'transfer_in') {
      application.targetUserId = row.userId;
      application.targetNewBalanceMinor = row.newBalanceMinor;
    }
  }
}

/**
 * Total money = start + acknowledged deposits + some subset of the deposits whose outcome is
 * unknown: it must lie in [start + acked, start + acked + Σ unknown]. Transfers move money, never
 * make it. (That each unknown one counts at most once is checked per operation.)
 */
export function checkConservation(history: History): Violation[] {
  let ackedMinor = 0n;
  let unknownMinor = 0n;
  for (const operation of history.operations) {
    if (operation.kind !== 'deposit' || operation.amountMinor === undefined) continue;
    if (operation.outcome === 'ok') ackedMinor += operation.amountMinor;
    if (operation.outcome === 'info') unknownMinor += operation.amountMinor;
  }
  const totalMinor = history.snapshot.wallets.reduce((sum, wallet) => sum + wallet.balanceMinor, 0n);
  const lowMinor = history.startTotalMinor + ackedMinor;
  const highMinor = lowMinor + unknownMinor;
  if (totalMinor >= lowMinor && totalMinor <= highMinor) return [];
  return [
    {
      kind: 'money-not-conserved',
      detail: `total ${totalMinor} outside [${lowMinor}, ${highMinor}] (start ${history.startTotalMinor}, acked deposits ${ackedMinor}, unknown deposits ${unknownMinor})`,
    },
  ];
}

/** ok → exactly once, info → at most once, fail → never; and always with the amount asked for. */
export function checkApplications(history: History): Violation[] {
  const byKey = applicationsByKey(history.snapshot.transactions);
  const violations: Violation[] = [];
  for (const operation of history.operations) {
    if (operation.kind !== 'deposit' && operation.kind !== 'transfer') continue;
    if (operation.idempotencyKey === undefined) continue;
    const applications = byKey.get(operation.idempotencyKey) ?? [];
    violations.push(...countViolations(operation, applications.length));
    for (const application of applications) violations.push(...shapeViolations(operation, application));
    if (operation.outcome === 'ok' && applications.length === 1) {
      violations.push(...ackViolations(operation, applications[0]!));
    }
  }
  return violations;
}

function countViolations(operation: Operation, count: number): Violation[] {
  const where = `${operation.kind} #${operation.id} (key ${operation.idempotencyKey})`;
  if (operation.outcome === 'ok' && count !== 1) {
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

function shapeViolations(operation: Operation, application: Application): Violation[] {
  const sourceUserId = operation.kind === 'deposit' ? operation.userId : operation.sourceUserId;
  const sameAmount = application.amountMinor === operation.amountMinor;
  const sameSource = application.userId === sourceUserId;
  const sameTarget = operation.kind === 'deposit' || application.targetUserId === operation.targetUserId;
  if (sameAmount && sameSource && sameTarget) return [];
  return [
    {
      kind: 'applied-wrong-amount',
      detail: `${operation.kind} #${operation.id} asked ${operation.amountMinor} ${sourceUserId}→${operation.targetUserId ?? ''}, ledger has ${application.amountMinor} ${application.userId}→${application.targetUserId ?? ''}`,
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
  if (operation.kind === 'deposit') {
    compare('balance', result.balanceMinor, application.newBalanceMinor);
    compare('transaction_id', result.transactionId, application.transactionId);
  } else {
    compare('transfer_id', result.transferId, application.transferId);
    compare('from_balance', result.sourceBalanceMinor, application.newBalanceMinor);
    compare('to_balance', result.targetBalanceMinor, application.targetNewBalanceMinor);
  }
  if (mismatches.length === 0) return [];
  return [
    {
      kind: 'ack-mismatch',
      detail: `${operation.kind} #${operation.id}: ${mismatches.join('; ')}`,
      operationId: operation.id,
    },
  ];
}

/** No balance below zero: not in any response, any ledger row, or the final wallets. */
export function checkNoNegativeBalance(history: History): Violation[] {
  const violations: Violation[] = [];
  const flag = (what: string, minor: bigint | undefined, userId?: string, operationId?: number) => {
    if (minor !== undefined && minor < 0n) {
      violations.push({ kind: 'negative-balance', detail: `${what} = ${minor}`, userId, operationId });
    }
  };
  for (const operation of history.operations) {
    if (operation.outcome !== 'ok' || !operation.result) continue;
    const { balanceMinor, sourceBalanceMinor, targetBalanceMinor } = operation.result;
    flag(`${operation.kind} #${operation.id} balance`, balanceMinor, operation.userId, operation.id);
    flag(`transfer #${operation.id} from_balance`, sourceBalanceMinor, operation.sourceUserId, operation.id);
    flag(`transfer #${operation.id} to_balance`, targetBalanceMinor, operation.targetUserId, operation.id);
  }
  for (const row of history.snapshot.transactions) {
    flag(`row ${row.id} old_balance`, row.oldBalanceMinor, row.userId);
    flag(`row ${row.id} new_balance`, row.newBalanceMinor, row.userId);
  }
  for (const wallet of history.snapshot.wallets) flag('final balance', wallet.balanceMinor, wallet.userId);
  return violations;
}
