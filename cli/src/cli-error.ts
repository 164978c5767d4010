import type { ExitCode } from './exit-codes.ts';

/**
 * An error the user can act on: a stable code (the server's, or one of ours such as
 * SERVICE_UNREACHABLE), a one-line message, what to do next, and the exit code.
 * Anything that is not a CliError is a bug and exits 1.
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(options: {
    code: string;
    message: string;
    exitCode: ExitCode;
    hint?: string;
    status?: number;
    requestId?: string;
  }) {
    super(options.message);
    this.name = 'CliError';
    this.code = options.code;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
    this.status = options.status;
    this.requestId = options.requestId;
  }
}

export function isCliError(error: unknown): error is CliError {
  return error instanceof CliError;
}
