import { runService } from '../../shared/src/process/run-service.ts';
import { loadTransactionsConfig } from './config.ts';
import { startTransactionsService } from './service.ts';

// On SIGTERM/SIGINT the service also leaves its consumer group before the outbox flush.
await runService({
  name: 'transactions-service',
  loadConfig: loadTransactionsConfig,
  start: startTransactionsService,
});
