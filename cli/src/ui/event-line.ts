import type { MoneyEvent, WalletEvent } from '../services/events/wallet-event.ts';
import { moneyText } from '../services/money/money-json.ts';
import { clockTime } from './format-time.ts';

/** How to show a user in a feed: an email when known, else the start of the id. */
export type NameOf = (userId: string) => string;

export const SHORT_ID_LENGTH = 8;

export function shortId(userId: string): string {
  return `${userId.slice(0, SHORT_ID_LENGTH)}…`;
}

/**
 * One event as plain text for people, without the time: "alice@x.io +25.00 → 40.00".
 * Pure, shared by `wallet events` and the dashboard's feed.
 */
export function describeEvent(event: WalletEvent, nameOf: NameOf): string {
  switch (event.type) {
    case 'user-created':
      return `${event.email} joined`;
    case 'money-added':
      return `${nameOf(event.userId)} +${moneyText(event.amountMinor)} → ${moneyText(event.balanceMinor)}`;
    case 'money-withdrawn':
      return `${nameOf(event.userId)} -${moneyText(event.amountMinor)} → ${moneyText(event.balanceMinor)}`;
    case 'money-transferred':
      return (
        `${nameOf(event.fromUserId)} → ${nameOf(event.toUserId)} ${moneyText(event.amountMinor)}` +
        ` (${moneyText(event.fromBalanceMinor)} / ${moneyText(event.toBalanceMinor)})`
      );
    case 'hold-created':
      return `${pair(event, nameOf)} ${moneyText(event.amountMinor)} until ${clockTime(event.expiresAt)}${available(event, event.fromUserId)}`;
    case 'hold-captured':
      return (
        `${pair(event, nameOf)} ${moneyText(event.capturedMinor)} of ${moneyText(event.amountMinor)}` +
        `${event.releasedMinor > 0n ? `, ${moneyText(event.releasedMinor)} released` : ''}${balances(event)}`
      );
    case 'hold-voided':
    case 'hold-expired':
      return `${pair(event, nameOf)} ${moneyText(event.amountMinor)} released${available(event, event.fromUserId)}`;
    case 'transfer-reversed':
      return `${pair(event, nameOf)} ${moneyText(event.amountMinor)} back${because(event.reason)}${balances(event)}`;
    case 'deposit-reversed':
      return `${nameOf(event.userId)} -${moneyText(event.amountMinor)}${after(event, event.userId)}${because(event.reason)}`;
    case 'wallet-frozen':
    case 'wallet-unfrozen':
    case 'wallet-closed':
      return `${nameOf(event.userId)} ${event.status}${because(event.reason)}`;
  }
}

function pair(event: { fromUserId: string; toUserId: string }, nameOf: NameOf): string {
  return `${nameOf(event.fromUserId)} → ${nameOf(event.toUserId)}`;
}

function because(reason: string | null): string {
  return reason ? `: ${reason}` : '';
}

/** " → 95.00": the wallet's balance after the event, when the event says it. */
function after(event: MoneyEvent, userId: string): string {
  const wallet = event.wallets.find((entry) => entry.userId === userId);
  return wallet ? ` → ${moneyText(wallet.balanceMinor)}` : '';
}

/** " (available 90.00)": what the sender can spend after a hold was placed or released. */
function available(event: MoneyEvent, userId: string): string {
  const wallet = event.wallets.find((entry) => entry.userId === userId);
  return wallet ? ` (available ${moneyText(wallet.availableMinor)})` : '';
}

/** " (80.00 / 20.00)": the balances after, sender first, like money-transferred. */
function balances(event: MoneyEvent & { fromUserId: string; toUserId: string }): string {
  const from = event.wallets.find((entry) => entry.userId === event.fromUserId);
  const to = event.wallets.find((entry) => entry.userId === event.toUserId);
  if (!from || !to) return '';
  return ` (${moneyText(from.balanceMinor)} / ${moneyText(to.balanceMinor)})`;
}
