import { type Command, Option } from 'commander';

/** Flags every command takes; reserved names mean the same everywhere (--json, --no-color, --verbose). */
export type CommonFlags = {
  json: boolean;
  color: boolean;
  verbose: boolean;
  token?: string;
  userServiceUrl?: string;
  transactionsServiceUrl?: string;
};

export function addCommonOptions(command: Command): Command {
  return command
    .option('--json', 'print exactly one JSON document on stdout', false)
    .option('--no-color', 'no colour (also when NO_COLOR is set or stdout is not a terminal)')
    .option('--verbose', 'log each HTTP request and retry on stderr', false)
    .addOption(
      new Option('--token <token>', 'bearer token (default: $WALLET_TOKEN, then .wallet/stack.json)'),
    )
    .addOption(
      new Option('--user-service-url <url>', 'user-service base URL').default(
        undefined,
        '$USER_SERVICE_URL, .wallet/services.json, http://127.0.0.1:8080',
      ),
    )
    .addOption(
      new Option('--transactions-service-url <url>', 'transactions-service base URL').default(
        undefined,
        '$TRANSACTIONS_SERVICE_URL, .wallet/services.json, http://127.0.0.1:8081',
      ),
    );
}

export function addKafkaOption(command: Command): Command {
  return command.addOption(
    new Option('--kafka-brokers <list>', 'Kafka brokers, comma-separated').default(
      undefined,
      '$KAFKA_BROKERS, then .wallet/stack.json',
    ),
  );
}

/** Examples shown at the end of a command's --help. */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}
