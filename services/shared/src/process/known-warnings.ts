/**
 * kafkajs 2.2.4 schedules a timer with a negative delay on Node 24 (tulios/kafkajs#1751, unfixed
 * upstream); Node clamps it to 1 ms, so it is harmless, but the warning buries our output. Every
 * other warning is still printed.
 */
export function hideKnownWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}
