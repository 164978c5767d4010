import type { Command } from 'commander';
import type { CheckStatus, DoctorCheck } from '../services/doctor/doctor-check.ts';
import { runDoctor } from '../services/doctor/run-doctor.ts';
import type { Colors } from '../ui/colors.ts';
import { withSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, addKafkaOption, type CommonFlags, examples } from './common-options.ts';

type Flags = CommonFlags & { kafkaBrokers?: string };

const NAME_WIDTH = 27;

export function registerDoctor(program: Command): void {
  const command = program
    .command('doctor')
    .description(
      'check the setup (Node, stack, services, token, Kafka, clock) and say how to fix each problem',
    );
  addKafkaOption(addCommonOptions(command)).addHelpText(
    'after',
    `
Checks, in the order to fix them: node, stack, user-service, transactions-service (reachable and
ready), token@user-service, token@transactions-service (accepted), kafka, clock. Each is ok, warn,
fail or skip (does not apply); a failed one says what to do. Exits 0 when none failed, else with
the first failed check's exit code (6 unavailable, 7 unauthorized, 2 Node too old).
${examples(['wallet doctor', 'wallet doctor --json'])}`,
  );
  command.action(async (flags: Flags) => {
    await withContext(flags, async ({ settings, output }) => {
      const report = await withSpinner(output.stderr, 'checking…', output.interactive, () =>
        runDoctor(settings, { addressesGiven: addressesGiven(flags, process.env) }),
      );
      process.exitCode = report.exitCode;
      if (output.json) {
        output.document({
          ok: report.ok,
          exit_code: report.exitCode,
          checks: report.checks.map((check) => ({
            name: check.name,
            status: check.status,
            detail: check.detail,
            advice: check.advice ?? null,
          })),
        });
        return;
      }
      for (const check of report.checks) output.line(checkLine(check, output.colors));
      const failed = report.checks.filter((check) => check.status === 'fail').length;
      output.line();
      output.line(
        failed === 0
          ? output.colors.green('all good: try `npx wallet create-user ada@example.com`')
          : output.colors.red(
              `${failed} problem${failed === 1 ? '' : 's'}: fix the first one, then run \`npx wallet doctor\` again`,
            ),
      );
    });
  });
}

const MARKS: Record<CheckStatus, (colors: Colors) => string> = {
  ok: (colors) => colors.green('ok  '),
  warn: (colors) => colors.yellow('warn'),
  fail: (colors) => colors.red('FAIL'),
  skip: (colors) => colors.dim('skip'),
};

/** "ok    user-service               ready at http://…", with "→ what to do" under a warn or fail. */
function checkLine(check: DoctorCheck, colors: Colors): string {
  const line = `${MARKS[check.status](colors)}  ${check.name.padEnd(NAME_WIDTH)} ${check.detail}`;
  return check.advice ? `${line}\n      ${' '.repeat(NAME_WIDTH)} → ${check.advice}` : line;
}

/** Services or Kafka named by flag or env: a missing local stack is then not a problem. */
function addressesGiven(flags: Flags, env: Record<string, string | undefined>): boolean {
  return [
    flags.userServiceUrl,
    flags.transactionsServiceUrl,
    flags.kafkaBrokers,
    env.USER_SERVICE_URL,
    env.TRANSACTIONS_SERVICE_URL,
    env.KAFKA_BROKERS,
  ].some((value) => (value ?? '').trim() !== '');
}
