export { findFreePort } from '../../scripts/stack/ports.ts';
export { withPostgresClient as withDatabase } from '../../scripts/stack/postgres-client.ts';
export { TEST_AUTH_HEADERS, TEST_OPERATOR_TOKEN, type TestTokenEntry, writeTokensFile } from './auth.ts';
export { createTestDatabase, type TestDatabase } from './databases.ts';
export { stopTestHaCluster } from './ha-cluster.ts';
export { call, type HttpResult, parseJson } from './http-call.ts';
export { collectTopic } from './kafka-topics.ts';
export { captureLogs, type LogCapture } from './log-capture.ts';
export { uniqueNamespace } from './namespace.ts';
export { type NpmStart, startNpmStart } from './npm-start.ts';
export { runServerUntilExit } from './server-exit.ts';
export {
  type BothServices,
  serviceEnv,
  startBothServices,
  startTestTransactionsService,
  startTestUserService,
} from './services.ts';
export { type ServicesOnOwnKafka, startServicesOnOwnKafka } from './services-on-own-kafka.ts';
export { getStack } from './stack.ts';
export { createTransactionsDatabase } from './transactions-database.ts';
export { WAIT_TIMEOUT_MS_DEFAULT, waitFor } from './wait-for.ts';
export { WALLET_OPEN_TIMEOUT_MS, waitForWallet } from './wallets.ts';
