import type { Command } from 'commander';
import { stackDown, stackStatus, stackUp } from '../../../scripts/stack/index.ts';
import { errorFor } from '../error-advice.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import { createOutput } from '../ui/output.ts';
import { withSpinner } from '../ui/spinner.ts';
import { describeStackState, describeStackStatus } from '../ui/stack-text.ts';
import { examples } from './common-options.ts';

type StackFlags = { json: boolean; color: boolean; dir?: string };

/** `wallet stack up|down|status`: the local PostgreSQL, NATS and Kafka (scripts/stack). */
export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description('start, stop or inspect the local PostgreSQL, NATS and Kafka')
    .addHelpText('after', examples(['wallet stack up', 'wallet stack status --json', 'wallet stack down']));

  withStackOptions(stack.command('up').description('start the stack (or reuse the running one)'))
    .option('--fast', 'durability off (fsync): for a throwaway stack', false)
    .action(async (flags: StackFlags & { fast: boolean }) => {
      const output = createOutput({ json: flags.json, color: flags.color, env: process.env });
      const state = await withSpinner(
        output.stderr,
        'starting PostgreSQL, NATS and Kafka…',
        output.interactive,
        () => stackUp({ ...(flags.dir ? { dir: flags.dir } : {}), fast: flags.fast, quiet: true }),
      ).catch((error: unknown) => {
        throw errorFor('STACK_FAILED', error instanceof Error ? error.message : String(error));
      });
      if (output.json) output.document(redactState(state));
      else for (const line of describeStackState(state)) output.line(line);
    });

  withStackOptions(stack.command('down').description('stop the stack; data stays unless --purge'))
    .option('--purge', 'also delete the stack’s data', false)
    .action(async (flags: StackFlags & { purge: boolean }) => {
      const output = createOutput({ json: flags.json, color: flags.color, env: process.env });
      await withSpinner(output.stderr, 'stopping the stack…', output.interactive, () =>
        stackDown({ ...(flags.dir ? { dir: flags.dir } : {}), purge: flags.purge }),
      );
      if (output.json) output.document({ down: true });
      else output.line('stack down');
    });

  withStackOptions(
    stack.command('status').description(`which parts run (exit ${EXIT_CODES.unavailable} if any is down)`),
  ).action(async (flags: StackFlags) => {
    const output = createOutput({ json: flags.json, color: flags.color, env: process.env });
    const status = await stackStatus(flags.dir ? { dir: flags.dir } : {});
    if (output.json) output.document(status);
    else for (const line of describeStackStatus(status, output.colors)) output.line(line);
    const allUp = status.postgres.up && status.nats.up && status.kafka.up;
    if (!allUp) process.exitCode = EXIT_CODES.unavailable;
  });
}

function withStackOptions(command: Command): Command {
  return command
    .option('--json', 'print exactly one JSON document on stdout', false)
    .option('--no-color', 'no colour')
    .option('--dir <dir>', 'stack data dir (default: $WALLET_HOME or <repo>/.wallet)');
}

/** The state holds database passwords and maybe a token: --json shows where things are, not secrets. */
function redactState<T extends { postgres: { adminUrl: string; databases: Record<string, string> } }>(
  state: T,
): T {
  const hide = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  const copy = structuredClone(state) as T & { operatorToken?: string };
  copy.postgres.adminUrl = hide(copy.postgres.adminUrl);
  for (const name of Object.keys(copy.postgres.databases)) {
    copy.postgres.databases[name] = hide(copy.postgres.databases[name]!);
  }
  if (copy.operatorToken) copy.operatorToken = '***';
  return copy;
}
