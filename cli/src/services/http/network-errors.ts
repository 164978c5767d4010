/** Reads the error codes that undici and Node put on failed requests. */
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}

export function isTimeoutError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && TIMEOUT_CODES.has(code);
}

/** "did not answer in time", "refused the connection (ECONNREFUSED)", … */
export function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return 'refused the connection (is it running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'has a host name that does not resolve';
  if (code !== undefined && TIMEOUT_CODES.has(code)) return `did not answer in time (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return `could not be reached: ${message}${code ? ` (${code})` : ''}`;
}
