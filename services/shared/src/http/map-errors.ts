import type { HttpApp } from './create-http-app.ts';

/**
 * Within `scope` (a plugin of its own), every error first goes through `map`, which turns the
 * failures it knows (a database outage …) into coded AppErrors. Only this scope's handler runs
 * first; what it rethrows reaches the shared problem handler (problem.ts), which answers.
 */
export function mapErrorsInScope(scope: HttpApp, map: (error: unknown) => unknown): void {
  scope.setErrorHandler((error) => {
    throw map(error);
  });
}
