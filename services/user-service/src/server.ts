import closeWithGrace from 'close-with-grace';
import { ConfigError } from '../../shared/src/config.ts';
import { loadUserConfig, type UserConfig } from './config.ts';
import { startUserService } from './service.ts';

/** Exit code for a configuration the operator must fix (distinct from a crash). */
const EXIT_BAD_CONFIG = 2;

function readConfig(): UserConfig {
  try {
    return loadUserConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`user-service: ${error.message}\n`);
      process.exit(EXIT_BAD_CONFIG);
    }
    throw error;
  }
}

const config = readConfig();
const service = await startUserService(config);
service.app.log.info({ url: service.url }, 'user-service listening');

closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err) service.app.log.error({ err }, 'shutting down after an error');
  else service.app.log.info({ signal }, 'shutting down');
  await service.stop();
});
