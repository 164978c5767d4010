import {
  checkEventWallets,
  checkNoCrashes,
  checkOutbox,
  checkServerErrors,
  type ServerErrorPolicy,
} from './delivery-checks.ts';
import { checkKafkaWalletEvents } from './event-checks.ts';
import type { History, Violation, ViolationKind } from './history.ts';
import { checkHeldMatchesPendingHolds, checkHoldAcks, checkHoldLifecycles } from './hold-checks.ts';
import {
  checkChains,
  checkNoPhantoms,
  checkReads,
  checkTransferLegs,
  checkWallets,
} from './ledger-checks.ts';
import { checkApplications, checkConservation, checkNoNegativeBalance } from './money-checks.ts';
import { checkFreshReads } from './read-checks.ts';
import { checkReversalAcks, checkReversals } from './reversal-checks.ts';
import { checkClosedWallets, checkFrozenWallets } from './status-checks.ts';

export type CheckerOptions = ServerErrorPolicy;

/** A 503 up to this long after a fault ended is still the fault's: pools and clients reconnect. */
export const FAULT_GRACE_MS_DEFAULT = 10_000;

export const CHECKER_OPTIONS_DEFAULT: CheckerOptions = {
  faultGraceMs: FAULT_GRACE_MS_DEFAULT,
  anytime503Codes: new Set(['WALLET_PENDING']),
};

/**
 * Judges a recorded bank-workload history. Pure: no I/O, the same history always gives the same
 * violations, so it can be proved on hand-made histories (checker.test.ts) before it is trusted
 * to pass a real run. An empty list means the run kept every promise it is checked for.
 */
export function checkHistory(
  history: History,
  options: CheckerOptions = CHECKER_OPTIONS_DEFAULT,
): Violation[] {
  return [
    ...checkConservation(history),
    ...checkNoNegativeBalance(history),
    ...checkApplications(history),
    ...checkNoPhantoms(history),
    ...checkChains(history),
    ...checkTransferLegs(history),
    ...checkHeldMatchesPendingHolds(history),
    ...checkHoldLifecycles(history),
    ...checkHoldAcks(history),
    ...checkReversals(history),
    ...checkReversalAcks(history),
    ...checkFrozenWallets(history),
    ...checkClosedWallets(history),
    ...checkReads(history),
    ...checkFreshReads(history),
    ...checkWallets(history),
    ...checkOutbox(history),
    ...checkEventWallets(history),
    ...checkKafkaWalletEvents(history),
    ...checkServerErrors(history, options),
    ...checkNoCrashes(history),
  ];
}

/** How many violations of each kind, for the summary table. */
export function countViolations(violations: readonly Violation[]): Map<ViolationKind, number> {
  const counts = new Map<ViolationKind, number>();
  for (const violation of violations) counts.set(violation.kind, (counts.get(violation.kind) ?? 0) + 1);
  return counts;
}
