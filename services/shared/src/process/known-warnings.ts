/**
 * kafkajs 2.2.4 schedules a timer with a negative delay on Node 24 (tulios/kafkajs#1751, unfixed
 * upstream); Node clamps it to 1 ms, so it is harmless, but the warning buries our output.
 */
const KNOWN_HARMLESS = 'TimeoutNegativeWarning';

let installed = false;

/**
 * Drops that one warning where it is emitted, so every other warning still reaches Node's own
 * printer and any other 'warning' listener unchanged (format, `--trace-warnings`,
 * `--no-warnings`). Idempotent: each service, the CLI and every test worker call it.
 */
export function hideKnownWarnings(): void {
  if (installed) return;
  installed = true;
  const emitWarning = process.emitWarning;
  process.emitWarning = function emitUnlessKnown(warning: string | Error, ...rest: unknown[]): void {
    if (warningName(warning, rest[0]) === KNOWN_HARMLESS) return;
    Reflect.apply(emitWarning, process, [warning, ...rest]);
  } as typeof process.emitWarning;
}

/** emitWarning(warning, type) or emitWarning(warning, { type }); an Error carries its own name. */
function warningName(warning: string | Error, typeOrOptions: unknown): string | undefined {
  if (warning instanceof Error) return warning.name;
  if (typeof typeOrOptions === 'string') return typeOrOptions;
  if (typeof typeOrOptions === 'object' && typeOrOptions !== null && 'type' in typeOrOptions) {
    return String(typeOrOptions.type);
  }
  return undefined;
}
