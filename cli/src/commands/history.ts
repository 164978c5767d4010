import type { Command } from 'commander';
import type { Transaction } from '../services/api/transactions-api.ts';
import { HISTORY_ROWS_MAX, listHistory } from '../services/money/list-history.ts';
import { moneyText } from '../services/money/money-json.ts';
import type { Colors } from '../ui/colors.ts';
import { shortTime } from '../ui/format-time.ts';
import { withSpinner } from '../ui/spinner.ts';
import type { Column } from '../ui/text-table.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';
import { parseLimit } from './parse-limit.ts';

export const HISTORY_LIMIT_DEFAULT = 20;

type Flags = CommonFlags & { limit: number; all: boolean };

export function registerHistory(program: Command): void {
  const command = program
    .command('history')
    .description('list a user’s transactions, newest first')
    .argument('<user>', 'email or user id')
    .option('--limit <n>', 'how many (1-500)', parseLimit, HISTORY_LIMIT_DEFAULT)
    .option('--all', `every transaction (up to ${HISTORY_ROWS_MAX})`, false);
  addCommonOptions(command).addHelpText(
    'after',
    examples([
      'wallet history alice@example.com',
      'wallet history alice@example.com --limit 5',
      'wallet history alice@example.com --all --json',
    ]),
  );
  command.action(async (user: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const history = await withSpinner(output.stderr, 'loading history…', output.interactive, () =>
        listHistory(apis, { user, limit: flags.limit, all: flags.all }),
      );
      const nameOf = (id: string | null) => (id === null ? '' : (history.counterpartyEmails.get(id) ?? id));
      if (output.json) {
        output.document({
          user_id: history.user.user_id,
          email: history.user.email,
          transactions: history.transactions.map((row) => transactionJson(row, history.counterpartyEmails)),
          next_cursor: history.nextCursor,
          truncated: history.truncated,
        });
        return;
      }
      if (history.transactions.length === 0) {
        output.line(`no transactions yet for ${history.user.email}`);
        return;
      }
      output.table(...historyTable(history.transactions, nameOf, output.colors));
      if (history.nextCursor !== null) {
        output.line(output.colors.dim(`more: wallet history ${history.user.email} --all`));
      }
    });
  });
}

export function transactionJson(row: Transaction, emails: Map<string, string>): Record<string, unknown> {
  return {
    id: row.id,
    seq: row.seq,
    kind: row.kind,
    balance_change: moneyText(row.changeMinor),
    old_balance: moneyText(row.oldBalanceMinor),
    new_balance: moneyText(row.newBalanceMinor),
    held_change: moneyText(row.heldChangeMinor),
    old_held: moneyText(row.oldHeldMinor),
    new_held: moneyText(row.newHeldMinor),
    transfer_id: row.transferId,
    hold_id: row.holdId,
    reverses_id: row.reversesId,
    reason: row.reason,
    counterparty_id: row.counterpartyId,
    counterparty_email: row.counterpartyId === null ? null : (emails.get(row.counterpartyId) ?? null),
    timestamp: row.timestamp,
  };
}

/**
 * The table a person reads: the balance change and the balance after; a `held` column (held
 * after each row) only when the rows touch held money; and the id to act on next: the hold to
 * capture or void, the transfer or deposit to reverse.
 */
export function historyTable(
  rows: Transaction[],
  nameOf: (id: string | null) => string,
  colors: Colors,
): [Column[], string[][]] {
  const showHeld = rows.some((row) => row.heldChangeMinor !== 0n || row.newHeldMinor !== 0n);
  const columns: Column[] = [
    { header: 'time' },
    { header: 'kind' },
    { header: 'change', align: 'right' },
    { header: 'balance', align: 'right' },
    ...(showHeld ? [{ header: 'held', align: 'right' } as const] : []),
    { header: 'counterparty' },
    { header: 'reference' },
  ];
  const cells = rows.map((row) => [
    shortTime(row.timestamp),
    kindLabel(row),
    signedMoney(row.changeMinor, colors),
    moneyText(row.newBalanceMinor),
    ...(showHeld ? [moneyText(row.newHeldMinor)] : []),
    nameOf(row.counterpartyId),
    referenceOf(row),
  ]);
  return [columns, cells];
}

const KIND_LABELS: Record<Transaction['kind'], string> = {
  deposit: 'deposit',
  withdrawal: 'withdrawal',
  transfer_out: 'transfer out',
  transfer_in: 'transfer in',
  hold: 'hold',
  hold_release: 'hold release',
  reversal_out: 'reversal out',
  reversal_in: 'reversal in',
  deposit_reversal: 'deposit reversal',
};

/** A capture is a transfer that names its hold: "capture out" / "capture in" says so. */
function kindLabel(row: Transaction): string {
  if (row.holdId !== null && row.kind === 'transfer_out') return 'capture out';
  if (row.holdId !== null && row.kind === 'transfer_in') return 'capture in';
  return KIND_LABELS[row.kind];
}

/**
 * The id this row is about, the one a person acts on next: the hold (capture, void), the transfer
 * or deposit (reverse); for a reversal, the transfer or deposit it reversed (a reversal itself
 * cannot be reversed; its own id is in --json).
 */
function referenceOf(row: Transaction): string {
  if (row.kind === 'hold' || row.kind === 'hold_release') return row.holdId ?? row.id;
  if (row.reversesId !== null) return row.reversesId;
  return row.transferId ?? row.id;
}

/** "+25.00" in green, "-5.00" in red, nothing when the balance did not move (a hold). */
function signedMoney(changeMinor: bigint, colors: Colors): string {
  if (changeMinor === 0n) return '';
  const text = changeMinor > 0n ? `+${moneyText(changeMinor)}` : moneyText(changeMinor);
  return changeMinor > 0n ? colors.green(text) : colors.red(text);
}
