import { CommanderError } from 'commander';
import { CliError, isCliError } from './cli-error.ts';
import { errorFor } from './error-advice.ts';
import { EXIT_CODES, type ExitCode } from './exit-codes.ts';
import type { Colors } from './ui/colors.ts';

export type ErrorReportTarget = {
  json: boolean;
  verbose: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  colors: Colors;
};

/**
 * The one place that turns an error into an exit code and what the person sees: one line on
 * stderr, `error CODE: what happened — what to do next`; with --json also one JSON document
 * on stdout. Anything that is not a known error is a bug: exit 1, with the stack under --verbose.
 */
export function reportError(error: unknown, target: ErrorReportTarget): ExitCode {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return EXIT_CODES.ok; // --help, --version
    if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return EXIT_CODES.usage;
    return print(fromCommander(error), target);
  }
  if (isCliError(error)) return print(error, target);
  const message = error instanceof Error ? error.message : String(error);
  if (target.verbose && error instanceof Error && error.stack) target.stderr.write(`${error.stack}\n`);
  const hint = target.verbose
    ? 'this is a bug: please report it'
    : 'rerun with --verbose for details, then report it';
  return print(new CliError({ code: 'UNEXPECTED', message, exitCode: EXIT_CODES.unexpected, hint }), target);
}

function print(error: CliError, target: ErrorReportTarget): ExitCode {
  const hint = error.hint ? ` — ${error.hint}` : '';
  target.stderr.write(
    `${target.colors.red('error')} ${target.colors.bold(error.code)}: ${error.message}${hint}\n`,
  );
  if (target.json) {
    const document = {
      error: {
        code: error.code,
        message: error.message,
        hint: error.hint ?? null,
        status: error.status ?? null,
        request_id: error.requestId ?? null,
        exit_code: error.exitCode,
      },
    };
    target.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  }
  return error.exitCode;
}

/**
 * Commander's usage errors as ours. A negative amount reaches commander as an unknown option
 * ("-5"), so that case is told as the amount error it really is.
 */
function fromCommander(error: CommanderError): CliError {
  const message = error.message.replace(/^error: /, '');
  const negative = /^unknown option '(-\d[\d.]*)'/.exec(message);
  if (negative) {
    return errorFor(
      'INVALID_AMOUNT',
      `"${negative[1]}" is not a valid amount: amounts must be greater than 0`,
    );
  }
  return errorFor('USAGE', message);
}
