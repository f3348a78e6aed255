import { Topics } from '@app/contracts';
import { TopicNames } from './topic-names';

describe('TopicNames', () => {
  it('uses the contract names unchanged without a prefix', () => {
    const names = new TopicNames();
    expect(names.physical(Topics.UserRegistered)).toBe('auth.user.registered.v1');
    expect(names.deadLetter(Topics.UserRegistered)).toBe('auth.user.registered.v1.dlq');
    expect(names.logical('auth.user.registered.v1')).toBe('auth.user.registered.v1');
  });

  it('prefixes topics and their dead-letter topics', () => {
    const names = new TopicNames('e2e1.');
    expect(names.physical(Topics.UserRegistered)).toBe('e2e1.auth.user.registered.v1');
    expect(names.deadLetter(Topics.MessageSent)).toBe('e2e1.messenger.message.sent.v1.dlq');
  });

  it('maps a prefixed name back to the logical name', () => {
    const names = new TopicNames('bench.');
    expect(names.logical(names.physical(Topics.FriendRequestAccepted))).toBe(
      Topics.FriendRequestAccepted,
    );
  });

  it('does not claim topics outside its prefix', () => {
    const names = new TopicNames('e2e1.');
    expect(names.logical('auth.user.registered.v1')).toBeUndefined();
    expect(names.logical('e2e2.auth.user.registered.v1')).toBeUndefined();
  });

  it.each(['with space', 'slash/', 'ä.', 'x'.repeat(101)])('refuses the prefix %j', (prefix) => {
    expect(() => new TopicNames(prefix)).toThrow(/topic prefix/);
  });
});
