import type { WalletEvent } from '../services/events/wallet-event.ts';
import { moneyText } from '../services/money/money-json.ts';

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
    case 'money-transferred':
      return (
        `${nameOf(event.fromUserId)} → ${nameOf(event.toUserId)} ${moneyText(event.amountMinor)}` +
        ` (${moneyText(event.fromBalanceMinor)} / ${moneyText(event.toBalanceMinor)})`
      );
  }
}
