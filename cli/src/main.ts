import { hideKnownWarnings } from '../../services/shared/src/process/known-warnings.ts';
import { reportError } from './error-handler.ts';
import { buildProgram } from './program.ts';
import { colorsEnabled, createColors } from './ui/colors.ts';

/**
 * The `wallet` executable. Commands throw; this one handler decides the exit code
 * (cli/src/exit-codes.ts) and prints the error once.
 */
async function main(argv: string[]): Promise<number> {
  hideKnownWarnings();
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Read from argv rather than parsed flags: a usage error happens before flags exist.
    const args = argv.slice(2);
    return reportError(error, {
      json: args.includes('--json'),
      verbose: args.includes('--verbose'),
      stdout: process.stdout,
      stderr: process.stderr,
      colors: createColors(colorsEnabled(process.stderr, process.env, !args.includes('--no-color'))),
    });
  }
}

process.exitCode = await main(process.argv);

// A library that forgot to close a socket must not keep a finished command alive. Unref'd: when
// nothing else is pending the process exits at once and this never fires.
export const EXIT_GRACE_MS = 2_000;
setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
