import { EXIT_CODES, type ExitCode } from '../../exit-codes.ts';

/**
 * One finding of `wallet doctor`. `fail` makes the command exit with `exitCode`; `warn` is worth
 * knowing but nothing is broken; `skip` when the check does not apply (a part given from
 * elsewhere, or one the failing check before it already explains).
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export type DoctorCheck = {
  /** Stable, for scripts: node, stack, user-service, transactions-service, token, kafka, clock. */
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it; set for every warn and fail. */
  advice?: string;
  exitCode: ExitCode;
};

export const ok = (name: string, detail: string): DoctorCheck => ({
  name,
  status: 'ok',
  detail,
  exitCode: EXIT_CODES.ok,
});

export const skip = (name: string, detail: string): DoctorCheck => ({
  name,
  status: 'skip',
  detail,
  exitCode: EXIT_CODES.ok,
});

export const warn = (name: string, detail: string, advice: string): DoctorCheck => ({
  name,
  status: 'warn',
  detail,
  advice,
  exitCode: EXIT_CODES.ok,
});

export const fail = (name: string, detail: string, advice: string, exitCode: ExitCode): DoctorCheck => ({
  name,
  status: 'fail',
  detail,
  advice,
  exitCode,
});

/** The exit code of a whole report: the first failed check's, else 0. */
export function reportExitCode(checks: readonly DoctorCheck[]): ExitCode {
  return checks.find((check) => check.status === 'fail')?.exitCode ?? EXIT_CODES.ok;
}
