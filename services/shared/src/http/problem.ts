import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ERROR_CATALOG, type ErrorCode, isAppError } from '../errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'https://wallet.dev/problems/';

/** Which error code a validation failure on a field gets, so clients can branch on `code`. */
const FIELD_CODES: Record<string, ErrorCode> = {
  amount: 'INVALID_AMOUNT',
  amount_to_transfer: 'INVALID_AMOUNT',
  email: 'INVALID_EMAIL',
  user_id: 'INVALID_USER_ID',
  from_user_id: 'INVALID_USER_ID',
  to_user_id: 'INVALID_USER_ID',
  cursor: 'INVALID_CURSOR',
  at: 'INVALID_TIME',
  from: 'INVALID_TIME',
  to: 'INVALID_TIME',
};

/** Fastify's own client errors, by their FST_ code. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * 503s after which a retry is not known to be safe: OUTCOME_UNKNOWN may have committed, so it
 * gets no Retry-After inviting a blind retry (issue 12).
 */
const NO_RETRY_AFTER_CODES: ReadonlySet<ErrorCode> = new Set(['OUTCOME_UNKNOWN']);

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail?: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  const { status, title } = ERROR_CATALOG[code];
  return reply
    .status(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: `${PROBLEM_TYPE_BASE}${code.toLowerCase().replaceAll('_', '-')}`,
      title,
      status,
      code,
      detail: detail ?? title,
      instance: request.url.split('?')[0],
      request_id: request.id,
      ...extra,
    });
}

/** The one place where errors become responses: coded errors map to problem+json, internals never leak. */
export function registerProblemHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    sendProblem(request, reply, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isAppError(error)) {
      // The rate limiter has already said when its window ends; keep that.
      const invitesRetry = error.status === 429 || error.status === 503;
      if (invitesRetry && !NO_RETRY_AFTER_CODES.has(error.code) && !reply.hasHeader('retry-after')) {
        reply.header('retry-after', '1');
      }
      return sendProblem(request, reply, error.code, error.message, error.extra);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((issue) => ({
        field:
          issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || String(issue.params?.issue ?? ''),
        message: issue.message ?? 'invalid',
      }));
      const firstField = issues[0]?.field.split('.')[0] ?? '';
      const code = FIELD_CODES[firstField] ?? 'VALIDATION_FAILED';
      const detail = issues
        .map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message))
        .join('; ');
      return sendProblem(request, reply, code, detail, { errors: issues });
    }
    const fastifyCode = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (fastifyCode) return sendProblem(request, reply, fastifyCode, error.message);
    if (error.statusCode === 429) return sendProblem(request, reply, 'RATE_LIMITED', error.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(request, reply, 'VALIDATION_FAILED', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      request,
      reply,
      'INTERNAL_ERROR',
      'internal error; see the service log with this request_id',
    );
  });
}

export { AppError };
