import closeWithGrace from 'close-with-grace';
import { ConfigError } from '../config.ts';
import type { HttpApp } from '../http/create-http-app.ts';
import { hideKnownWarnings } from './known-warnings.ts';

/** Exit code for a configuration the operator must fix (distinct from a crash, which exits 1). */
export const EXIT_CODE_BAD_CONFIG = 2;

export type RunningService = { app: HttpApp; stop(): Promise<void> };

/**
 * What both services' server.ts do: validate the environment, start, and on SIGTERM or SIGINT
 * stop gracefully (stop accepting, finish in-flight requests, flush, close); exit 0. Past
 * SHUTDOWN_GRACE_MS, close-with-grace exits 1. A ConfigError, from the config or from the start,
 * is printed plainly and exits 2, not as a stack trace.
 */
export async function runService<C extends { SHUTDOWN_GRACE_MS: number }>(options: {
  name: string;
  loadConfig: (env: Record<string, string | undefined>) => C;
  start: (config: C) => Promise<RunningService>;
}): Promise<void> {
  hideKnownWarnings();
  let config: C;
  let service: RunningService;
  try {
    config = options.loadConfig(process.env);
    service = await options.start(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${options.name}: ${error.message}\n`);
    process.exit(EXIT_CODE_BAD_CONFIG);
  }
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) service.app.log.error({ err }, 'shutting down after an uncaught error');
    else service.app.log.info({ signal }, 'shutting down');
    await service.stop();
    service.app.log.info('stopped');
  });
}
