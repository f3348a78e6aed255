import { KafkaJSProtocolError } from 'kafkajs';
import { isStaleProducerError, KafkaConnection } from './kafka.connection';
import { TopicNames } from './topic-names';

/** kafkajs' error for a broker's error code, as its producer rejects with it. */
const createErrorFromCode = (code: number) => {
  const type = {
    6: 'NOT_LEADER_FOR_PARTITION',
    45: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    59: 'UNKNOWN_PRODUCER_ID',
  }[code];
  return new KafkaJSProtocolError(Object.assign(new Error(`broker error ${code}`), { type, code }));
};

const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const UNKNOWN_PRODUCER_ID = 59;
const NOT_LEADER_FOR_PARTITION = 6;

describe('isStaleProducerError', () => {
  it('knows the broker answers that the same producer id can never get past', () => {
    expect(isStaleProducerError(createErrorFromCode(OUT_OF_ORDER_SEQUENCE_NUMBER))).toBe(true);
    expect(isStaleProducerError(createErrorFromCode(UNKNOWN_PRODUCER_ID))).toBe(true);
    // Wrapped, as a retrier hands it on.
    const wrapped = new Error('retries exhausted', {
      cause: createErrorFromCode(OUT_OF_ORDER_SEQUENCE_NUMBER),
    });
    expect(isStaleProducerError(wrapped)).toBe(true);
  });

  it('leaves every other failure to the ordinary retry', () => {
    expect(isStaleProducerError(createErrorFromCode(NOT_LEADER_FOR_PARTITION))).toBe(false);
    expect(isStaleProducerError(new KafkaJSProtocolError('something else'))).toBe(false);
    expect(isStaleProducerError(new Error('Connection refused'))).toBe(false);
    expect(isStaleProducerError(undefined)).toBe(false);
  });
});

describe('KafkaConnection.replaceProducerAfter', () => {
  const connection = new KafkaConnection(
    { service: 'spec', brokers: ['127.0.0.1:1'], topics: [] },
    new TopicNames(''),
  );

  it('drops the producer only after a stale-producer error', async () => {
    expect(await connection.replaceProducerAfter(new Error('Connection refused'))).toBe(false);
    expect(
      await connection.replaceProducerAfter(createErrorFromCode(OUT_OF_ORDER_SEQUENCE_NUMBER)),
    ).toBe(true);
  });
});
