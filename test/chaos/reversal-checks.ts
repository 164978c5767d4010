import type { History, LedgerRow, Violation } from './history.ts';

/** What can be reversed: a transfer (its out leg) or a deposit (its row), by id. */
type Original = { amountMinor: bigint; payerUserId: string; payeeUserId: string };

function originalsOf(rows: readonly LedgerRow[]): {
  transfers: Map<string, Original>;
  deposits: Map<string, Original>;
} {
  const transfers = new Map<string, Original>();
  const deposits = new Map<string, Original>();
  for (const row of rows) {
    if (row.kind === 'deposit') {
      deposits.set(row.id, { amountMinor: row.balanceChangeMinor, payerUserId: '', payeeUserId: row.userId });
    }
    if ((row.kind !== 'transfer_out' && row.kind !== 'transfer_in') || row.transferId === null) continue;
    const original = transfers.get(row.transferId) ?? { amountMinor: 0n, payerUserId: '', payeeUserId: '' };
    if (row.kind === 'transfer_out') {
      original.amountMinor = -row.balanceChangeMinor;
      original.payerUserId = row.userId;
    } else {
      original.payeeUserId = row.userId;
    }
    transfers.set(row.transferId, original);
  }
  return { transfers, deposits };
}

/**
 * Each transfer reversal is two legs (reversal_out on the original receiver, reversal_in on the
 * original sender) of equal, opposite amounts naming the same original; each deposit reversal
 * takes money off the deposit's own wallet. Per original, the reversals sum to at most its amount.
 */
export function checkReversals(history: History): Violation[] {
  const rows = history.snapshot.transactions;
  const { transfers, deposits } = originalsOf(rows);
  const violations: Violation[] = [];
  const reversedMinor = new Map<string, bigint>();
  const addReversed = (originalId: string, amountMinor: bigint) =>
    reversedMinor.set(originalId, (reversedMinor.get(originalId) ?? 0n) + amountMinor);
  const legs = new Map<string, LedgerRow[]>();
  for (const row of rows) {
    if (row.kind === 'reversal_out' || row.kind === 'reversal_in') {
      const key = row.transferId ?? `(row ${row.id} has no reversal id)`;
      legs.set(key, [...(legs.get(key) ?? []), row]);
    } else if (row.kind === 'deposit_reversal') {
      const original = deposits.get(row.reversesId ?? '');
      if (!original || original.payeeUserId !== row.userId) {
        violations.push({
          kind: 'reversal-legs',
          detail: `deposit reversal ${row.id} reverses ${row.reversesId}, not a deposit of its wallet`,
          userId: row.userId,
        });
      }
      addReversed(row.reversesId ?? '', -row.balanceChangeMinor);
    }
  }
  for (const [reversalId, pair] of legs) {
    const outcome = reversalLegsViolation(reversalId, pair, transfers);
    if (outcome.violation) violations.push(outcome.violation);
    if (outcome.originalId !== undefined) addReversed(outcome.originalId, outcome.amountMinor);
  }
  for (const [originalId, totalMinor] of reversedMinor) {
    const original = transfers.get(originalId) ?? deposits.get(originalId);
    if (!original || totalMinor <= original.amountMinor) continue;
    violations.push({
      kind: 'reversal-exceeds-original',
      detail: `${originalId}: reversed ${totalMinor} of ${original.amountMinor}`,
    });
  }
  return violations;
}

function reversalLegsViolation(
  reversalId: string,
  pair: readonly LedgerRow[],
  transfers: ReadonlyMap<string, Original>,
): { violation?: Violation; originalId?: string; amountMinor: bigint } {
  const outs = pair.filter((row) => row.kind === 'reversal_out');
  const ins = pair.filter((row) => row.kind === 'reversal_in');
  const netMinor = pair.reduce((sum, row) => sum + row.balanceChangeMinor, 0n);
  const originalIds = new Set(pair.map((row) => row.reversesId));
  const originalId = pair[0]?.reversesId ?? undefined;
  const original = transfers.get(originalId ?? '');
  const amountMinor = ins[0]?.balanceChangeMinor ?? 0n;
  const sound =
    outs.length === 1 &&
    ins.length === 1 &&
    netMinor === 0n &&
    originalIds.size === 1 &&
    original !== undefined &&
    outs[0]!.userId === original.payeeUserId &&
    ins[0]!.userId === original.payerUserId;
  if (sound) return { originalId, amountMinor };
  return {
    originalId,
    amountMinor,
    violation: {
      kind: 'reversal-legs',
      detail: `reversal ${reversalId} of ${[...originalIds].join(',')}: ${outs.length} out, ${ins.length} in, net ${netMinor}, original ${original ? `${original.payerUserId}→${original.payeeUserId}` : 'unknown'}`,
    },
  };
}

/** What a reversal's answer said about its original adds up: reversed + remaining = original. */
export function checkReversalAcks(history: History): Violation[] {
  const { transfers, deposits } = originalsOf(history.snapshot.transactions);
  const violations: Violation[] = [];
  for (const operation of history.operations) {
    if (operation.kind !== 'reverse_transfer' && operation.kind !== 'reverse_deposit') continue;
    const { reversedTotalMinor, remainingMinor } = operation.result ?? {};
    if (operation.outcome !== 'ok' || reversedTotalMinor === undefined || remainingMinor === undefined)
      continue;
    const originals = operation.kind === 'reverse_transfer' ? transfers : deposits;
    const original = originals.get(operation.originalId ?? '');
    if (original && reversedTotalMinor + remainingMinor === original.amountMinor && remainingMinor >= 0n)
      continue;
    violations.push({
      kind: 'reversal-exceeds-original',
      detail: `${operation.kind} #${operation.id} told reversed ${reversedTotalMinor}, remaining ${remainingMinor}, original ${original?.amountMinor ?? 'unknown'}`,
      operationId: operation.id,
    });
  }
  return violations;
}
