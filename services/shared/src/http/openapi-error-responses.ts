import { z } from 'zod';
import { problemSchema } from '../contracts/common.ts';
import { ERROR_CATALOG } from '../errors.ts';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';

type Operation = {
  security?: unknown[];
  parameters?: Array<{ in: string }>;
  requestBody?: unknown;
  responses?: Record<string, unknown>;
};

const problemJsonSchema = (() => {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(problemSchema, { io: 'output' });
  return schema;
})();

/**
 * Every error status an operation can answer, by what it takes, each listed by itself with the
 * problem+json schema and the codes it may carry (issue 15): a client learns from the document
 * that a deposit can be 409 or 422, not merely "4XX". The `4XX`/`5XX` ranges stay as a catch-all.
 */
export function errorStatusesOf(method: string, operation: Operation): number[] {
  const parameters = operation.parameters ?? [];
  const hasInput = parameters.length > 0 || operation.requestBody !== undefined;
  const statuses = new Set([500, 503]);
  if (hasInput) statuses.add(400).add(404);
  // Router errors: a path segment over Fastify's maxParamLength.
  if (parameters.some((parameter) => parameter.in === 'path')) statuses.add(414);
  if (operation.security !== undefined) statuses.add(401).add(403).add(429);
  if (operation.requestBody !== undefined) statuses.add(413).add(415);
  // Commands: state conflicts (409) and refusals of what the request asks (422, also a reused Idempotency-Key).
  if (method === 'post') statuses.add(409).add(422);
  return [...statuses].sort();
}

/** Adds the statuses `errorStatusesOf` names that the route's own schema does not list. */
export function documentErrorStatuses(method: string, operation: Operation): void {
  const responses = operation.responses ?? {};
  for (const status of errorStatusesOf(method, operation)) {
    const key = String(status);
    responses[key] ??= {
      description: describeStatus(status),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: problemJsonSchema } },
    };
  }
  operation.responses = responses;
}

function describeStatus(status: number): string {
  const codes = Object.entries(ERROR_CATALOG)
    .filter(([, entry]) => entry.status === status)
    .map(([code]) => code);
  return `problem+json; \`code\` is one of ${codes.join(', ')}`;
}
