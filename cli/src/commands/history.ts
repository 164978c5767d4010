import type { Command } from 'commander';
import type { Transaction } from '../services/api/transactions-api.ts';
import { HISTORY_ROWS_MAX, listHistory } from '../services/money/list-history.ts';
import { moneyText } from '../services/money/money-json.ts';
import type { Colors } from '../ui/colors.ts';
import { shortTime } from '../ui/format-time.ts';
import { withSpinner } from '../ui/spinner.ts';
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
          transactions: history.transactions.map((row) => ({
            id: row.id,
            kind: row.kind,
            balance_change: moneyText(row.changeMinor),
            old_balance: moneyText(row.oldBalanceMinor),
            new_balance: moneyText(row.newBalanceMinor),
            transfer_id: row.transferId,
            counterparty_id: row.counterpartyId,
            counterparty_email:
              row.counterpartyId === null
                ? null
                : (history.counterpartyEmails.get(row.counterpartyId) ?? null),
            timestamp: row.timestamp,
          })),
          next_cursor: history.nextCursor,
          truncated: history.truncated,
        });
        return;
      }
      if (history.transactions.length === 0) {
        output.line(`no transactions yet for ${history.user.email}`);
        return;
      }
      output.table(
        [
          { header: 'time' },
          { header: 'kind' },
          { header: 'change', align: 'right' },
          { header: 'balance', align: 'right' },
          { header: 'counterparty' },
        ],
        history.transactions.map((row) => [
          shortTime(row.timestamp),
          kindLabel(row.kind),
          signedMoney(row, output.colors),
          moneyText(row.newBalanceMinor),
          nameOf(row.counterpartyId),
        ]),
      );
      if (history.nextCursor !== null) {
        output.line(output.colors.dim(`more: wallet history ${history.user.email} --all`));
      }
    });
  });
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

function kindLabel(kind: Transaction['kind']): string {
  return KIND_LABELS[kind];
}

/** "+25.00" in green, "-5.00" in red (colour only on a TTY; the padding counts plain text). */
function signedMoney(row: Transaction, colors: Colors): string {
  const text = row.changeMinor > 0n ? `+${moneyText(row.changeMinor)}` : moneyText(row.changeMinor);
  return row.changeMinor > 0n ? colors.green(text) : colors.red(text);
}
