// Runs in every test worker (vitest setupFiles): keeps kafkajs's harmless Node 24 timer warning
// out of the test output. See services/shared/src/process/known-warnings.ts.
import { hideKnownWarnings } from '../../services/shared/src/process/known-warnings.ts';

hideKnownWarnings();
