// Runs in every test worker (vitest setupFiles): keeps kafkajs's harmless Node 24 timer warning
// out of the test output. See scripts/stack/known-warnings.ts.
import { hideKnownWarnings } from '../../scripts/stack/known-warnings.ts';

hideKnownWarnings();
