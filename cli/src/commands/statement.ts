import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { errorFor } from '../error-advice.ts';
import type { Statement } from '../services/api/transactions-api.ts';
import { moneyText } from '../services/money/money-json.ts';
import { nameUsers } from '../services/money/name-users.ts';
import {
  checkPeriod,
  downloadStatementCsv,
  type LoadedStatement,
  loadStatement,
  STATEMENT_ROWS_MAX,
  type StatementProgress,
} from '../services/money/statement.ts';
import type { Output } from '../ui/output.ts';
import { startSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';
import { historyTable, transactionJson } from './history.ts';

type Flags = CommonFlags & { from: string; to: string; csv: boolean; output?: string };

export function registerStatement(program: Command): void {
  const command = program
    .command('statement')
    .description('a user’s statement for a period: opening and closing balance, totals by kind, every row')
    .argument('<user>', 'email or user id')
    .requiredOption('--from <time>', 'start, included (RFC 3339, e.g. 2026-11-01T00:00:00Z)')
    .requiredOption('--to <time>', 'end, excluded (RFC 3339); at most 366 days after --from')
    .option('--csv', 'the whole period as CSV with a header line (streamed; no row limit)', false)
    .option('-o, --output <file>', 'write the statement (CSV with --csv, else the JSON document) to a file');
  addCommonOptions(command).addHelpText(
    'after',
    `${examples([
      'wallet statement alice@example.com --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z',
      'wallet statement alice@example.com --from 2026-01-01T00:00:00Z --to 2027-01-01T00:00:00Z --csv -o 2026.csv',
      'wallet statement alice@example.com --from 2026-11-01T00:00:00+01:00 --to 2026-12-01T00:00:00+01:00 --json',
    ])}\n\nclosing balance = opening balance + the rows; a table or JSON document holds at most ${STATEMENT_ROWS_MAX} rows (--csv has no limit).`,
  );
  command.action(async (user: string, flags: Flags) => {
    const period = checkPeriod({ from: flags.from, to: flags.to });
    if (flags.csv && flags.json && !flags.output) {
      throw errorFor('USAGE', '--csv prints CSV on stdout, so --json needs -o <file> for the CSV');
    }
    await withContext(flags, async ({ apis, output }) => {
      const spinner = startSpinner(output.stderr, 'loading statement…', output.interactive);
      const onProgress: StatementProgress = (done, total) =>
        spinner.update(`statement: ${done}${total === undefined ? '' : ` of ${total}`} rows…`);
      try {
        if (flags.csv) {
          const file = flags.output;
          const download = await intoFileOrStdout(file, output, (sink) =>
            downloadStatementCsv(apis, { user, ...period, sink, onProgress }),
          );
          spinner.stop();
          if (file) reportFile(output, file, { user_id: download.user.user_id, rows: download.rows });
          return;
        }
        const loaded = await loadStatement(apis, { user, ...period, onProgress });
        spinner.stop();
        const emails = output.json || flags.output ? new Map<string, string>() : await namesOf(apis, loaded);
        const document = statementJson(loaded, emails);
        if (flags.output) {
          await intoFileOrStdout(flags.output, output, async (sink) => {
            sink.write(`${JSON.stringify(document, null, 2)}\n`);
          });
          reportFile(output, flags.output, {
            user_id: loaded.user.user_id,
            rows: loaded.transactions.length,
          });
        } else if (output.json) output.document(document);
        else renderStatement(output, loaded, emails);
      } finally {
        spinner.stop();
      }
    });
  });
}

function namesOf(apis: Parameters<typeof nameUsers>[0], loaded: LoadedStatement) {
  return nameUsers(
    apis,
    loaded.transactions.map((row) => row.counterpartyId),
  );
}

/**
 * Writes to `<file>.partial` and renames it when complete, so a failed download never leaves a
 * file that looks like a statement; without a file, writes to stdout.
 */
async function intoFileOrStdout<T>(
  file: string | undefined,
  output: Output,
  write: (sink: NodeJS.WritableStream) => Promise<T>,
): Promise<T> {
  if (!file) return write(output.stdout);
  const partial = `${file}.partial`;
  const sink = createWriteStream(partial);
  try {
    const result = await write(sink);
    sink.end();
    await finished(sink);
    renameSync(partial, file);
    return result;
  } catch (error) {
    sink.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}

function reportFile(output: Output, file: string, summary: { user_id: string; rows: number }): void {
  if (output.json) output.document({ ...summary, file });
  else output.line(`wrote ${summary.rows} rows to ${file}`);
}

function statementJson(loaded: LoadedStatement, emails: Map<string, string>): Record<string, unknown> {
  const { heading } = loaded;
  return {
    user_id: loaded.user.user_id,
    email: loaded.user.email,
    from: heading.from,
    to: heading.to,
    opening_balance: moneyText(heading.openingBalanceMinor),
    closing_balance: moneyText(heading.closingBalanceMinor),
    opening_held: moneyText(heading.openingHeldMinor),
    closing_held: moneyText(heading.closingHeldMinor),
    totals: Object.fromEntries(
      [...heading.totals].map(([kind, sum]) => [
        kind,
        { count: sum.count, amount_in: moneyText(sum.inMinor), amount_out: moneyText(sum.outMinor) },
      ]),
    ),
    transactions: loaded.transactions.map((row) => transactionJson(row, emails)),
    truncated: loaded.truncated,
  };
}

function renderStatement(output: Output, loaded: LoadedStatement, emails: Map<string, string>): void {
  const { heading } = loaded;
  const { dim, bold } = output.colors;
  output.line(`${bold(`statement of ${loaded.user.email}`)} ${dim(`${heading.from} → ${heading.to}`)}`);
  output.line(`opening balance ${balanceText(heading, 'opening')}`);
  output.line(`closing balance ${balanceText(heading, 'closing')}`);
  const kinds = [...heading.totals].filter(([, sum]) => sum.count > 0);
  if (kinds.length === 0) {
    output.line('no transactions in this period');
    return;
  }
  output.line();
  output.table(
    [
      { header: 'kind' },
      { header: 'count', align: 'right' },
      { header: 'in', align: 'right' },
      { header: 'out', align: 'right' },
    ],
    kinds.map(([kind, sum]) => [kind, String(sum.count), moneyText(sum.inMinor), moneyText(sum.outMinor)]),
  );
  output.line();
  const nameOf = (id: string | null) => (id === null ? '' : (emails.get(id) ?? id));
  output.table(...historyTable(loaded.transactions, nameOf, output.colors));
  if (loaded.truncated) {
    output.line(dim(`first ${loaded.transactions.length} rows shown; --csv -o <file> writes them all`));
  }
}

function balanceText(heading: Statement, end: 'opening' | 'closing'): string {
  const [balance, held] =
    end === 'opening'
      ? [heading.openingBalanceMinor, heading.openingHeldMinor]
      : [heading.closingBalanceMinor, heading.closingHeldMinor];
  return held === 0n ? moneyText(balance) : `${moneyText(balance)} (held ${moneyText(held)})`;
}
