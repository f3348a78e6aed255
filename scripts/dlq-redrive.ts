// `npm run dlq:redrive -- <topic> [--since <ISO time>] [--dry-run]`
//
// Sends the records of `<topic>.dlq` back to `<topic>` once the cause of their failure is
// fixed. It reads the dead-letter topic up to where it ended when the command started
// (records dead-lettered meanwhile wait for the next run), strips the `dlq-*` headers,
// marks each copy with `dlq-redriven-at`, and commits its progress in the consumer group
// `dlq-redrive` so a second run does not send the same records again. `--since` skips
// records dead-lettered before that time (e.g. the start of an outage).
//
// `<topic>` is the contract's name. A stack with a topic prefix (KAFKA_TOPIC_PREFIX, ADR
// 0034) keeps both under it: `--prefix` (default $KAFKA_TOPIC_PREFIX, else none) is put
// before the original and the dead-letter topic on the broker.
import { Kafka, logLevel } from 'kafkajs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    since: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    group: { type: 'string', default: 'dlq-redrive' },
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
    prefix: { type: 'string', default: process.env.KAFKA_TOPIC_PREFIX ?? '' },
  },
});
const [topic] = positionals;
if (!topic || topic.endsWith('.dlq')) {
  console.error(
    'usage: npm run dlq:redrive -- <topic> [--since <ISO time>] [--dry-run] [--prefix <p>]',
  );
  console.error('       <topic> is the original topic, e.g. auth.user.registered.v1');
  process.exit(2);
}
const since = values.since ? Date.parse(values.since) : 0;
if (Number.isNaN(since)) {
  console.error(`--since: not a date: ${values.since}`);
  process.exit(2);
}
if (!/^[A-Za-z0-9._-]{0,100}$/.test(values.prefix)) {
  console.error(`--prefix: up to 100 of A-Z a-z 0-9 . _ -, got ${JSON.stringify(values.prefix)}`);
  process.exit(2);
}
// The broker's names; `dlq-original-topic` headers carry the contract's name (`topic`).
const target = `${values.prefix}${topic}`;
const dlq = `${values.prefix}${topic}.dlq`;
const say = (line: string) => process.stdout.write(`[dlq-redrive] ${line}\n`);

const kafka = new Kafka({
  clientId: 'dlq-redrive',
  brokers: values.brokers.split(','),
  logLevel: logLevel.WARN,
});
const admin = kafka.admin();
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
const consumer = kafka.consumer({ groupId: values.group });

async function main(): Promise<void> {
  await admin.connect();
  // Where the DLQ ends now: the run stops there, so it always terminates.
  const ends = new Map(
    (await admin.fetchTopicOffsets(dlq)).map(({ partition, high }) => [partition, BigInt(high)]),
  );
  const pending = new Set(
    (await admin.fetchOffsets({ groupId: values.group, topics: [dlq] }))[0].partitions
      .filter(({ partition, offset }) => {
        const committed = offset === '-1' ? 0n : BigInt(offset);
        return committed < (ends.get(partition) ?? 0n);
      })
      .map(({ partition }) => partition),
  );
  await admin.disconnect();
  if (pending.size === 0) {
    say(`${dlq} has nothing new to re-drive`);
    return;
  }

  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: dlq, fromBeginning: true });
  let sent = 0;
  let skipped = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: true,
        eachMessage: async ({ partition, message }) => {
          const end = ends.get(partition) ?? 0n;
          if (BigInt(message.offset) >= end) return;
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).filter(([name]) => !name.startsWith('dlq-')),
          );
          const origin = message.headers?.['dlq-original-topic']?.toString() ?? topic;
          if (Number(message.timestamp) < since || origin !== topic) {
            skipped += 1;
          } else {
            if (!values['dry-run']) {
              await producer.send({
                topic: target,
                acks: -1,
                messages: [
                  {
                    key: message.key,
                    value: message.value,
                    headers: { ...headers, 'dlq-redriven-at': new Date().toISOString() },
                  },
                ],
              });
            }
            sent += 1;
          }
          if (BigInt(message.offset) + 1n >= end) {
            pending.delete(partition);
            if (pending.size === 0) setImmediate(() => resolve());
          }
        },
      })
      .catch(reject);
  });
  // Disconnecting lets the current batch finish and commits its offsets.
  await consumer.disconnect();
  await producer.disconnect();
  say(
    `${values['dry-run'] ? 'would re-drive' : 're-drove'} ${sent} record(s) to ${target}; skipped ${skipped}`,
  );
}

main().catch((error: unknown) => {
  console.error(`[dlq-redrive] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
