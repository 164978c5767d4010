import closeWithGrace from 'close-with-grace';
import { ConfigError } from '../../shared/src/config.ts';
import { loadTransactionsConfig } from './config.ts';
import { startTransactionsService } from './service.ts';

/** How long a shutdown may take before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 15_000;
const EXIT_CODE_BAD_CONFIG = 2;

let config: ReturnType<typeof loadTransactionsConfig>;
try {
  config = loadTransactionsConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`transactions-service: ${error.message}\n`);
  process.exit(EXIT_CODE_BAD_CONFIG);
}

const service = await startTransactionsService(config);
closeWithGrace({ delay: SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err) service.app.log.error({ err }, 'shutting down after an uncaught error');
  else service.app.log.info({ signal }, 'shutting down');
  await service.stop();
});
