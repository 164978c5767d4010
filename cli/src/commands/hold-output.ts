import type { Hold, SenderBalances } from '../services/api/transactions-api.ts';
import { moneyText } from '../services/money/money-json.ts';
import type { Colors } from '../ui/colors.ts';
import { shortTime } from '../ui/format-time.ts';

/** A hold as --json prints it: the service's fields, money as exact decimal text. */
export function holdJson(hold: Hold): Record<string, unknown> {
  return {
    hold_id: hold.holdId,
    from_user_id: hold.fromUserId,
    to_user_id: hold.toUserId,
    amount: moneyText(hold.amountMinor),
    captured_amount: hold.capturedMinor === null ? null : moneyText(hold.capturedMinor),
    status: hold.status,
    expires_at: hold.expiresAt,
    created_at: hold.createdAt,
    resolved_at: hold.resolvedAt,
    transfer_id: hold.transferId,
  };
}

/** A wallet's three numbers as --json prints them. */
export function balancesJson(balances: SenderBalances): Record<string, string> {
  return {
    balance: moneyText(balances.balanceMinor),
    held: moneyText(balances.heldMinor),
    available_balance: moneyText(balances.availableMinor),
  };
}

/** "  balance 20.00  held 5.00  available 15.00": one line a person reads at a glance. */
export function balancesLine(label: string, balances: SenderBalances, colors: Colors): string {
  return `  ${label}  balance ${colors.bold(moneyText(balances.balanceMinor))}  held ${moneyText(balances.heldMinor)}  available ${colors.bold(moneyText(balances.availableMinor))}`;
}

const STATUS_COLORS = {
  pending: 'yellow',
  captured: 'green',
  voided: 'dim',
  expired: 'dim',
} as const satisfies Record<Hold['status'], keyof Colors>;

export function holdStatusText(status: Hold['status'], colors: Colors): string {
  return colors[STATUS_COLORS[status]](status);
}

/** "hold 1f2e… pending, expires 2026-11-25 16:54:08 UTC" */
export function holdLine(hold: Hold, colors: Colors): string {
  const until =
    hold.status === 'pending'
      ? `, expires ${shortTime(hold.expiresAt)} UTC`
      : hold.resolvedAt
        ? ` at ${shortTime(hold.resolvedAt)} UTC`
        : '';
  return `  hold ${hold.holdId}  ${holdStatusText(hold.status, colors)}${until}`;
}
