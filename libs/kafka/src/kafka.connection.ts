import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  Admin,
  Consumer,
  ConsumerConfig,
  Kafka,
  KafkaJSAggregateError,
  KafkaJSError,
  KafkaJSProtocolError,
  logLevel,
  LogEntry,
  Producer,
} from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import './request-queue-fix';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';
import { DISCONNECT_TIMEOUT_MS, settleWithin } from './settle-within';
import { TopicNames } from './topic-names';

/** How long start-up waits for its topics to exist and have leaders. */
const TOPIC_SETUP_TIMEOUT_MS = 30_000;

/**
 * Errors of topic set-up worth another round: those kafkajs marks retriable (unknown
 * topic, no leader yet, not the controller) and "already exists" (another service won).
 */
function isRetriable(error: unknown): boolean {
  if (error instanceof KafkaJSAggregateError) return error.errors.every(isRetriable);
  if (error instanceof KafkaJSProtocolError && error.type === 'TOPIC_ALREADY_EXISTS') return true;
  return error instanceof KafkaJSError && error.retriable;
}

/**
 * The one place that holds kafkajs objects: the client, the admin used for topic creation
 * and health, and the shared idempotent producer. Swapping the Kafka client means
 * rewriting this folder only.
 */
@Injectable()
export class KafkaConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaConnection.name);
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private producerConnection?: Promise<Producer>;
  private readonly consumers = new Set<Consumer>();

  constructor(
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly names: TopicNames,
  ) {
    this.kafka = new Kafka({
      clientId: options.service,
      brokers: options.brokers,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { initialRetryTime: 200, retries: 8 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => this.log(entry),
    });
    this.admin = this.kafka.admin();
  }

  /**
   * Creates the service's topics (and their dead-letter topics), under the stack's topic
   * prefix, if missing — no auto-create — and returns once every one of them has a leader.
   *
   * Services share topics and often start together, so another one may be creating the
   * same topics at this moment: kafkajs then answers "already exists" without waiting for
   * leaders, and a just-created topic can be briefly unknown to the broker's metadata.
   * Both are retried until `TOPIC_SETUP_TIMEOUT_MS`; anything else fails the start.
   */
  async onModuleInit(): Promise<void> {
    await this.admin.connect();
    const wanted = this.options.topics.flatMap((topic) => [
      this.names.physical(topic),
      this.names.deadLetter(topic),
    ]);
    const deadline = Date.now() + TOPIC_SETUP_TIMEOUT_MS;
    for (;;) {
      try {
        await this.createMissing(wanted);
        if (await this.allHaveLeaders(wanted)) return;
      } catch (error) {
        if (!isRetriable(error) || Date.now() > deadline) throw error;
        this.logger.warn({ err: error }, 'Kafka topics not ready yet; retrying');
      }
      if (Date.now() > deadline) {
        throw new Error(`Kafka topics without a leader after ${TOPIC_SETUP_TIMEOUT_MS} ms`);
      }
      await sleep(250);
    }
  }

  private async createMissing(wanted: string[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    const created = await this.admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: this.options.partitions ?? 3,
        replicationFactor: -1,
      })),
    });
    if (created) this.logger.log({ topics: missing }, 'Created Kafka topics');
  }

  private async allHaveLeaders(topics: string[]): Promise<boolean> {
    const metadata = await this.admin.fetchTopicMetadata({ topics });
    return (
      metadata.topics.length === topics.length &&
      metadata.topics.every(
        (topic) =>
          topic.partitions.length > 0 &&
          topic.partitions.every((partition) => partition.leader >= 0),
      )
    );
  }

  /** The idempotent producer (acks from all in-sync replicas), connected on first use. */
  producer(): Promise<Producer> {
    this.producerConnection ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      return producer;
    })();
    this.producerConnection.catch(() => (this.producerConnection = undefined));
    return this.producerConnection;
  }

  /**
   * Drops the producer after an error that puts the idempotent producer's sequence out of
   * step with the broker for good — a broker restarted under it and lost its state, or a
   * numbered batch never landed: kafkajs keeps its producer id and every later send fails
   * the same way. The next {@link producer} call starts a new producer id (records sent
   * again are duplicates consumers skip). True when it dropped the producer.
   */
  async replaceProducerAfter(error: unknown): Promise<boolean> {
    if (!isStaleProducerError(error)) return false;
    const stale = this.producerConnection;
    this.producerConnection = undefined;
    const producer = await stale?.catch(() => undefined);
    await settleWithin(Promise.allSettled([producer?.disconnect()]), DISCONNECT_TIMEOUT_MS);
    return true;
  }

  consumer(config: ConsumerConfig): Consumer {
    const consumer = this.kafka.consumer(config);
    this.consumers.add(consumer);
    return consumer;
  }

  /**
   * Disconnects a consumer of {@link consumer}, waiting at most a few seconds (see
   * {@link settleWithin}); application shutdown then no longer waits for it.
   */
  async releaseConsumer(consumer: Consumer): Promise<void> {
    this.consumers.delete(consumer);
    await settleWithin(consumer.disconnect(), DISCONNECT_TIMEOUT_MS);
  }

  /** Resolves when the cluster answers a metadata request within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.admin.describeCluster(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await settleWithin(
      Promise.allSettled([...this.consumers].map((c) => c.disconnect())),
      DISCONNECT_TIMEOUT_MS,
    );
    const producer = await this.producerConnection?.catch(() => undefined);
    await settleWithin(
      Promise.allSettled([producer?.disconnect(), this.admin.disconnect()]),
      DISCONNECT_TIMEOUT_MS,
    );
  }

  private log({ level, log }: LogEntry): void {
    const { message, ...rest } = log;
    if (level === logLevel.ERROR) this.logger.error(rest, message);
    else if (level === logLevel.WARN) this.logger.warn(rest, message);
    else this.logger.debug(rest, message);
  }
}

/** Broker answers that no retry with the same producer id can get past. */
const STALE_PRODUCER_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);

/** Whether `error`, or one it wraps (kafkajs' retrier keeps the last as `cause`), is one. */
export function isStaleProducerError(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (STALE_PRODUCER_ERRORS.has((e as { type?: string }).type ?? '')) return true;
  }
  return false;
}
