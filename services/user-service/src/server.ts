import { runService } from '../../shared/src/process/run-service.ts';
import { loadUserConfig } from './config.ts';
import { startUserService } from './service.ts';

await runService({ name: 'user-service', loadConfig: loadUserConfig, start: startUserService });
