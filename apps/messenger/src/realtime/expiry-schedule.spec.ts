import { ExpirySchedule } from './expiry-schedule';

describe('ExpirySchedule', () => {
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);
  const inSeconds = (seconds: number) => start / 1000 + seconds;
  let expired: string[];
  let schedule: ExpirySchedule<string>;

  beforeEach(() => {
    jest.useFakeTimers({ now: start });
    expired = [];
    schedule = new ExpirySchedule((item) => expired.push(item));
  });

  afterEach(() => {
    schedule.clear();
    jest.useRealTimers();
  });

  it('hands each item over at its second, not before', () => {
    schedule.add('late', inSeconds(5));
    schedule.add('early', inSeconds(2));
    schedule.add('early-too', inSeconds(2));

    jest.advanceTimersByTime(1_999);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual(['early', 'early-too']);
    jest.advanceTimersByTime(2_999);
    expect(expired).toEqual(['early', 'early-too']);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual(['early', 'early-too', 'late']);
  });

  it('hands an item already past its second over at once', () => {
    schedule.add('stale', inSeconds(-10));
    jest.advanceTimersByTime(0);
    expect(expired).toEqual(['stale']);
  });

  it('never hands over a deleted item, and re-adding moves it (a refreshed token)', () => {
    schedule.add('gone', inSeconds(1));
    schedule.add('refreshed', inSeconds(1));
    schedule.delete('gone', inSeconds(1));
    schedule.delete('refreshed', inSeconds(1));
    schedule.add('refreshed', inSeconds(3));

    jest.advanceTimersByTime(2_000);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1_000);
    expect(expired).toEqual(['refreshed']);
  });

  it('keeps items added while handing others over', () => {
    const chained = new ExpirySchedule<string>((item) => {
      expired.push(item);
      if (item === 'first') chained.add('second', inSeconds(2));
    });
    chained.add('first', inSeconds(1));

    jest.advanceTimersByTime(2_000);
    expect(expired).toEqual(['first', 'second']);
    chained.clear();
  });

  it('waits beyond the longest setTimeout delay', () => {
    const farAhead = 40 * 24 * 3600; // 40 days, past setTimeout's ~24.8-day ceiling
    schedule.add('far', inSeconds(farAhead));

    jest.advanceTimersByTime(2 ** 31 - 1);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(farAhead * 1000 - (2 ** 31 - 1));
    expect(expired).toEqual(['far']);
  });
});
