import { useEffect, useState, type FormEvent } from 'react';
import { describeError } from '../api/errors';
import type { Friend } from '../api/friends';
import { useDisplayName, useMessenger, useServices } from '../app-context';
import type { ChatState } from '../messenger/state';

/** A group's title and members: rename, add, remove (owner and admins), leave (anyone). */
export function GroupSettings({
  chat,
  onError,
}: {
  chat: ChatState;
  onError: (e: string) => void;
}) {
  const { connection, friends: api } = useServices();
  const { me } = useMessenger();
  const [title, setTitle] = useState(chat.chat.title ?? '');
  const [friends, setFriends] = useState<Friend[]>([]);
  const [adding, setAdding] = useState('');
  const chatId = chat.chat.id;
  const myRole = chat.chat.members.find((m) => m.userId === me)?.role;
  const manages = myRole === 'owner' || myRole === 'admin';
  const members = new Set(chat.chat.members.map((m) => m.userId));
  const candidates = friends.filter((f) => !members.has(f.userId));

  useEffect(() => {
    if (manages) api.friends().then(setFriends, () => setFriends([]));
  }, [api, manages]);

  const run = (action: () => Promise<unknown>) =>
    void action().catch((e: unknown) => onError(describeError(e)));

  const rename = (event: FormEvent) => {
    event.preventDefault();
    run(async () =>
      connection.acceptChat((await connection.call('chat:update', { chatId, title })).chat),
    );
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!adding) return;
    run(async () => {
      connection.acceptChat(
        (await connection.call('chat:members:add', { chatId, userIds: [adding] })).chat,
      );
      setAdding('');
    });
  };

  return (
    <details className="group-settings">
      <summary>Group settings</summary>
      {manages && (
        <form onSubmit={rename} className="row">
          <label>
            Group title
            <input
              required
              maxLength={100}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
            />
          </label>
          <button type="submit">Rename</button>
        </form>
      )}
      <h3>Members</h3>
      <ul className="list">
        {chat.chat.members.map((member) => (
          <Member
            key={member.userId}
            userId={member.userId}
            role={member.role}
            removable={
              manages &&
              member.userId !== me &&
              member.role !== 'owner' &&
              (myRole === 'owner' || member.role === 'member')
            }
            onRemove={() =>
              run(() => connection.call('chat:members:remove', { chatId, userId: member.userId }))
            }
          />
        ))}
      </ul>
      {manages && candidates.length > 0 && (
        <form onSubmit={add} className="row">
          <label>
            Add member
            <select value={adding} onChange={(e) => setAdding(e.target.value)}>
              <option value="">Choose a friend</option>
              {candidates.map((f) => (
                <Option key={f.userId} userId={f.userId} />
              ))}
            </select>
          </label>
          <button type="submit" disabled={!adding}>
            Add
          </button>
        </form>
      )}
      <button
        type="button"
        onClick={() =>
          run(async () => {
            await connection.call('chat:leave', { chatId });
            connection.forgetChat(chatId);
          })
        }
      >
        Leave group
      </button>
    </details>
  );
}

function Member(props: { userId: string; role: string; removable: boolean; onRemove: () => void }) {
  const name = useDisplayName(props.userId);
  return (
    <li>
      {name} <span className="muted">{props.role}</span>
      {props.removable && (
        <button type="button" aria-label={`Remove ${name}`} onClick={props.onRemove}>
          Remove
        </button>
      )}
    </li>
  );
}

function Option({ userId }: { userId: string }) {
  return <option value={userId}>{useDisplayName(userId)}</option>;
}
