import closeWithGrace from 'close-with-grace';
import { ConfigError } from '../../shared/src/config.ts';
import { loadUserConfig, type UserConfig } from './config.ts';
import { type RunningUserService, startUserService } from './service.ts';

/** Exit code for a configuration the operator must fix (distinct from a crash). */
const EXIT_BAD_CONFIG = 2;

/** A configuration the operator must fix is printed plainly and exits 2, not as a stack trace. */
function exitOnConfigError(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`user-service: ${error.message}\n`);
  process.exit(EXIT_BAD_CONFIG);
}

let config: UserConfig;
try {
  config = loadUserConfig(process.env);
} catch (error) {
  exitOnConfigError(error);
}

let service: RunningUserService;
try {
  service = await startUserService(config);
} catch (error) {
  exitOnConfigError(error);
}
service.app.log.info({ url: service.url }, 'user-service listening');

// SIGTERM or SIGINT: stop accepting, finish in-flight requests, flush the outbox, drain NATS,
// close the pool; exit 0. Past SHUTDOWN_GRACE_MS, close-with-grace exits 1.
closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err) service.app.log.error({ err }, 'shutting down after an uncaught error');
  else service.app.log.info({ signal }, 'shutting down');
  await service.stop();
  service.app.log.info('stopped');
});
