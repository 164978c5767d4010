/** Every JSON line a service logged, parsed; hand `stream` to the service as its log destination. */
export type LogCapture = {
  stream: { write(line: string): void };
  lines: Array<Record<string, unknown>>;
  /** The raw text, to check that something (a token) never appears anywhere. */
  text(): string;
};

export function captureLogs(): LogCapture {
  const raw: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  return {
    stream: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
    lines,
    text: () => raw.join(''),
  };
}
