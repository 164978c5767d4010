import { type Command, Option } from 'commander';
import { eventToJson, userIdsOf } from '../services/events/event-json.ts';
import { CATCH_UP_WAIT_MS_MAX, tailEvents } from '../services/events/tail-events.ts';
import { inTimeOrder } from '../services/events/time-order.ts';
import { FOLLOWED_TOPICS, type FollowedTopic, type WalletEvent } from '../services/events/wallet-event.ts';
import { createEmailDirectory } from '../services/users/email-directory.ts';
import { describeEvent, shortId } from '../ui/event-line.ts';
import { shortTime } from '../ui/format-time.ts';
import { startSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, addKafkaOption, type CommonFlags, examples } from './common-options.ts';
import { requireBrokers } from './require-brokers.ts';
import { untilSignal } from './until-signal.ts';

type Flags = CommonFlags & {
  follow: boolean;
  fromBeginning: boolean;
  topic?: FollowedTopic;
  kafkaBrokers?: string;
};

export function registerEvents(program: Command): void {
  const command = program
    .command('events')
    .description('print the wallet events in Kafka; with --follow, keep printing new ones live')
    .option('-f, --follow', 'keep running and print events as they happen (Ctrl-C to stop)', false)
    .option('--from-beginning', 'with --follow: start from the oldest event instead of now', false)
    .addOption(new Option('--topic <topic>', 'only this topic').choices([...FOLLOWED_TOPICS]));
  addKafkaOption(addCommonOptions(command)).addHelpText(
    'after',
    `
Topics (--topic): ${topicList()}.
Money events carry each touched wallet's ledger seq and balances after (--json: "wallets").
Without --follow, reads every event already in Kafka, then prints them in the order they
happened: by time across topics and partitions, and per wallet in ledger order (seq; a user's
user-created first); it exits once caught up (at most ${CATCH_UP_WAIT_MS_MAX / 1_000} s).
With --follow, events print as they arrive: in ledger order per wallet, not across wallets. With --json that is one JSON document {"events": [...]};
with --follow --json it is one JSON document per line (JSON Lines), one per event.
${examples([
  'wallet events',
  'wallet events --follow',
  'wallet events --follow --from-beginning --topic money-transferred',
  'wallet events --follow --topic hold-created',
  'wallet events --follow --json | jq .amount',
])}`,
  );
  command.action(async (flags: Flags) => {
    await withContext(flags, async ({ settings, output, apis }) => {
      const brokers = requireBrokers(settings);
      const directory = createEmailDirectory(apis.users);
      const print = async (event: WalletEvent) => {
        if (output.json) {
          output.stdout.write(`${JSON.stringify(eventToJson(event))}\n`);
          return;
        }
        if (event.type === 'user-created') directory.remember(event.userId, event.email);
        for (const userId of userIdsOf(event)) await directory.lookup(userId);
        const nameOf = (userId: string) => directory.known(userId) ?? shortId(userId);
        const { colors } = output;
        output.line(
          `${colors.dim(shortTime(event.occurredAt))}  ${colors.cyan(event.type.padEnd(17))}  ${describeEvent(event, nameOf)}`,
        );
      };
      // Without --follow every event is read first, then printed in time order (time-order.ts);
      // following, each prints as it arrives: in order per wallet, not across them.
      const collected: WalletEvent[] = [];
      const spinner = startSpinner(output.stderr, 'connecting to Kafka…', output.interactive);
      const tail = await tailEvents({
        brokers,
        namespace: settings.namespace,
        topics: flags.topic ? [flags.topic] : FOLLOWED_TOPICS,
        // Without --follow we always read what is there, from the oldest event.
        fromBeginning: flags.follow ? flags.fromBeginning : true,
        follow: flags.follow,
        onEvent: flags.follow ? print : (event) => void collected.push(event),
        verbose: flags.verbose,
      }).finally(() => spinner.stop());
      if (flags.follow && !output.json) output.note(output.errorColors.dim(FOLLOW_NOTE));
      await untilSignal(tail.done, () => tail.stop());
      if (flags.follow) return;
      const ordered = inTimeOrder(collected);
      if (output.json) {
        output.document({ events: ordered.map(eventToJson) });
        return;
      }
      for (const event of ordered) await print(event);
    });
  });
}

/** Kafka orders a wallet's events (one key, one partition per topic); nothing orders them across wallets or topics live. */
const FOLLOW_NOTE =
  'following events as they arrive: in ledger order per wallet, not across wallets or topics; Ctrl-C to stop';

const TOPICS_PER_HELP_LINE = 5;

/** The followed topics for --help, a few per line so the text stays within a terminal. */
function topicList(): string {
  const lines: string[] = [];
  for (let start = 0; start < FOLLOWED_TOPICS.length; start += TOPICS_PER_HELP_LINE) {
    lines.push(FOLLOWED_TOPICS.slice(start, start + TOPICS_PER_HELP_LINE).join(', '));
  }
  return lines.join(',\n  ');
}
