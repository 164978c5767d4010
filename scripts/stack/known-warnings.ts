// The filter's home is the shared module, so the services' server.ts use the same one.
export { hideKnownWarnings } from '../../services/shared/src/process/known-warnings.ts';
