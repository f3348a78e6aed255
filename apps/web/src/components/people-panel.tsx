import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { describeError } from '../api/errors';
import type { Friend, FriendRequest } from '../api/friends';
import { SearchUsersDocument, type Profile } from '../api/graphql';
import { useDisplayName, useMessenger, useServices } from '../app-context';
import { Avatar, PersonAvatar } from './avatar';

interface People {
  friends: Friend[];
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
}

/**
 * Friends: search people and ask them, answer requests (live through the socket's
 * friend:request / friend:accepted pushes), message, unfriend or block a friend, and start
 * a group.
 */
export function PeoplePanel({ onOpenChat }: { onOpenChat: (chatId: string) => void }) {
  const { friends: api, connection, directory } = useServices();
  const [people, setPeople] = useState<People>({ friends: [], incoming: [], outgoing: [] });
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      Promise.all([api.friends(), api.requests('incoming'), api.requests('outgoing')]).then(
        ([friends, incoming, outgoing]) => {
          setPeople({ friends, incoming, outgoing });
          void directory.ensure([
            ...friends.map((f) => f.userId),
            ...incoming.map((r) => r.fromUserId),
            ...outgoing.map((r) => r.toUserId),
          ]);
          void connection.refreshPresence(friends.map((f) => f.userId)).catch(() => undefined);
        },
        (e: unknown) => setError(describeError(e)),
      ),
    [api, connection, directory],
  );

  useEffect(() => {
    void reload();
    return connection.onFriendsChanged(() => void reload());
  }, [connection, reload]);

  /** Runs an action, then shows the lists as they are now. */
  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(describeError(e));
    }
    await reload();
  };

  const related = new Set([
    ...people.friends.map((f) => f.userId),
    ...people.incoming.map((r) => r.fromUserId),
    ...people.outgoing.map((r) => r.toUserId),
  ]);

  return (
    <div className="people">
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <Search related={related} onAdd={(userId) => void act(() => api.sendRequest(userId))} />

      <section aria-labelledby="requests-title">
        <h2 id="requests-title">Friend requests</h2>
        {people.incoming.length + people.outgoing.length === 0 && <p className="muted">None.</p>}
        <ul className="list">
          {people.incoming.map((request) => (
            <li key={request.id}>
              <Name userId={request.fromUserId} />
              <span className="muted"> wants to be friends</span>
              <span className="actions">
                <button type="button" onClick={() => void act(() => api.accept(request.id))}>
                  Accept
                </button>
                <button type="button" onClick={() => void act(() => api.decline(request.id))}>
                  Decline
                </button>
              </span>
            </li>
          ))}
          {people.outgoing.map((request) => (
            <li key={request.id}>
              <Name userId={request.toUserId} />
              <span className="muted"> asked</span>
              <span className="actions">
                <button
                  type="button"
                  onClick={() => void act(() => api.unfriend(request.toUserId))}
                >
                  Withdraw
                </button>
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="friends-title">
        <h2 id="friends-title">Friends</h2>
        {people.friends.length === 0 && (
          <p className="muted">No friends yet: search people above.</p>
        )}
        <ul className="list">
          {people.friends.map((friend) => (
            <FriendItem
              key={friend.userId}
              userId={friend.userId}
              onMessage={() =>
                void act(async () => {
                  const { chat } = await connection.call('chat:create', {
                    memberIds: [friend.userId],
                  });
                  connection.acceptChat(chat);
                  onOpenChat(chat.id);
                })
              }
              onUnfriend={() => void act(() => api.unfriend(friend.userId))}
              onBlock={() => void act(() => api.block(friend.userId))}
            />
          ))}
        </ul>
        {people.friends.length > 0 && (
          <NewGroup
            friends={people.friends}
            onCreate={(title, memberIds) =>
              act(async () => {
                const { chat } = await connection.call('chat:create', { memberIds, title });
                connection.acceptChat(chat);
                onOpenChat(chat.id);
              })
            }
          />
        )}
      </section>
    </div>
  );
}

/** A person's avatar and name, as friends and requests show them. */
function Name({ userId }: { userId: string }) {
  return (
    <>
      <PersonAvatar userId={userId} />
      <strong>{useDisplayName(userId)}</strong>
    </>
  );
}

function FriendItem(props: {
  userId: string;
  onMessage: () => void;
  onUnfriend: () => void;
  onBlock: () => void;
}) {
  const online = useMessenger().presence[props.userId]?.online;
  return (
    <li>
      <Name userId={props.userId} />
      {online && <span className="presence">online</span>}
      <span className="actions">
        <button type="button" onClick={props.onMessage}>
          Message
        </button>
        <button type="button" onClick={props.onUnfriend}>
          Unfriend
        </button>
        <button type="button" onClick={props.onBlock}>
          Block
        </button>
      </span>
    </li>
  );
}

/** searchUsers as the person types (2–64 characters, as profile requires). */
function Search({ related, onAdd }: { related: Set<string>; onAdd: (userId: string) => void }) {
  const { graphql, directory, store } = useServices();
  const [query, setQuery] = useState('');
  // Results with the query they answer, so a stale answer never shows under a newer query.
  const [found, setFound] = useState<{ query: string; people: Profile[] } | null>(null);
  const me = store.getState().me;
  const text = query.trim().slice(0, 64);
  const results = text.length >= 2 && found?.query === text ? found.people : null;

  useEffect(() => {
    if (text.length < 2) return;
    let current = true;
    const timer = setTimeout(() => {
      graphql(SearchUsersDocument, { query: text, first: 10 }).then(
        ({ searchUsers }) => {
          if (!current) return;
          const people = searchUsers.edges.map((e) => e.node);
          directory.remember(people);
          setFound({ query: text, people: people.filter((p) => p.id !== me) });
        },
        () => current && setFound({ query: text, people: [] }),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, graphql, directory, me]);

  return (
    <section aria-labelledby="search-title">
      <h2 id="search-title">Find people</h2>
      <input
        type="search"
        aria-label="Search people"
        placeholder="Nickname or name"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {results && (
        <ul className="list" aria-label="Search results">
          {results.length === 0 && <li className="muted">Nobody found.</li>}
          {results.map((person) => (
            <li key={person.id}>
              <Avatar name={person.nickname} url={person.avatarUrl} />
              <strong>{person.nickname}</strong>
              {person.displayName && <span className="muted"> {person.displayName}</span>}
              <span className="actions">
                {related.has(person.id) ? (
                  <span className="muted">Friend or asked</span>
                ) : (
                  <button type="button" onClick={() => onAdd(person.id)}>
                    Add friend
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewGroup({
  friends,
  onCreate,
}: {
  friends: Friend[];
  onCreate: (title: string, memberIds: string[]) => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        New group
      </button>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await onCreate(title.trim(), [...chosen]);
    setOpen(false);
    setTitle('');
    setChosen(new Set());
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)}>
      <label>
        Group title
        <input required maxLength={100} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <fieldset>
        <legend>Members</legend>
        {friends.map((friend) => (
          <Choice
            key={friend.userId}
            userId={friend.userId}
            checked={chosen.has(friend.userId)}
            onChange={(checked) => {
              const next = new Set(chosen);
              if (checked) next.add(friend.userId);
              else next.delete(friend.userId);
              setChosen(next);
            }}
          />
        ))}
      </fieldset>
      {/* One other member would make a direct chat, not a group. */}
      <p className="muted">Choose at least two friends.</p>
      <div className="row">
        <button type="submit" disabled={chosen.size < 2}>
          Create group
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Choice(props: { userId: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="choice">
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {useDisplayName(props.userId)}
    </label>
  );
}
