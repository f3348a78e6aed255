import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { deadLetterTopic } from '@app/contracts';
import { Admin, Consumer, ConsumerConfig, Kafka, logLevel, LogEntry, Producer } from 'kafkajs';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';

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

  constructor(@Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions) {
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

  /** Creates the service's topics (and their dead-letter topics) if missing: no auto-create. */
  async onModuleInit(): Promise<void> {
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const wanted = this.options.topics.flatMap((topic) => [topic, deadLetterTopic(topic)]);
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: this.options.partitions ?? 3,
        replicationFactor: -1,
      })),
    });
    this.logger.log({ topics: missing }, 'Created Kafka topics');
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

  consumer(config: ConsumerConfig): Consumer {
    const consumer = this.kafka.consumer(config);
    this.consumers.add(consumer);
    return consumer;
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
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    const producer = await this.producerConnection?.catch(() => undefined);
    await Promise.allSettled([producer?.disconnect(), this.admin.disconnect()]);
  }

  private log({ level, log }: LogEntry): void {
    const { message, ...rest } = log;
    if (level === logLevel.ERROR) this.logger.error(rest, message);
    else if (level === logLevel.WARN) this.logger.warn(rest, message);
    else this.logger.debug(rest, message);
  }
}
