export const SPARK_LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One cell per value, scaled to the largest; all zeros draw as a flat baseline. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  if (max === 0) return SPARK_LEVELS[0]!.repeat(values.length);
  const top = SPARK_LEVELS.length - 1;
  return values.map((value) => SPARK_LEVELS[Math.round((Math.max(0, value) / max) * top)]!).join('');
}
