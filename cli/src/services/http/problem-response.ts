import { problemSchema } from '../../../../services/shared/src/contracts/common.ts';
import type { CliError } from '../../cli-error.ts';
import { errorFor } from '../../error-advice.ts';
import type { ServiceName } from './service-name.ts';

const BODY_EXCERPT_LENGTH_MAX = 120;

/**
 * An error response as a CliError. Our services answer application/problem+json with a code;
 * anything else (a proxy's HTML page, an empty 502) still becomes a readable one-liner.
 */
export function readProblem(service: ServiceName, status: number, text: string, requestId: string): CliError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const problem = problemSchema.safeParse(json);
  if (problem.success) {
    const { code, title, detail } = problem.data;
    return errorFor(code, detail ?? title, { status, requestId: problem.data.request_id ?? requestId });
  }
  const excerpt = text.trim().slice(0, BODY_EXCERPT_LENGTH_MAX);
  return errorFor(`HTTP_${status}`, `${service} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`, {
    status,
    requestId,
  });
}
