import closeWithGrace from 'close-with-grace';
import { ConfigError } from '../../shared/src/config.ts';
import { loadTransactionsConfig, type TransactionsConfig } from './config.ts';
import { type RunningTransactionsService, startTransactionsService } from './service.ts';

const EXIT_CODE_BAD_CONFIG = 2;

/** A configuration the operator must fix is printed plainly and exits 2, not as a stack trace. */
function exitOnConfigError(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`transactions-service: ${error.message}\n`);
  process.exit(EXIT_CODE_BAD_CONFIG);
}

let config: TransactionsConfig;
try {
  config = loadTransactionsConfig(process.env);
} catch (error) {
  exitOnConfigError(error);
}

let service: RunningTransactionsService;
try {
  service = await startTransactionsService(config);
} catch (error) {
  exitOnConfigError(error);
}

// SIGTERM or SIGINT: stop accepting, finish in-flight requests, leave the consumer group, flush the
// outbox, drain NATS, close the pool; exit 0. Past SHUTDOWN_GRACE_MS, close-with-grace exits 1.
closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err) service.app.log.error({ err }, 'shutting down after an uncaught error');
  else service.app.log.info({ signal }, 'shutting down');
  await service.stop();
  service.app.log.info('stopped');
});
