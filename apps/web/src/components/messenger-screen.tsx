import { useEffect, useState } from 'react';
import { Directory } from '../api/directory';
import { friendsApi } from '../api/friends';
import { execute, MeDocument } from '../api/graphql';
import type { Session } from '../api/session';
import { ServicesContext, useMessenger, useServices, type Services } from '../app-context';
import { MessengerConnection } from '../messenger/connection';
import { MessengerStore } from '../messenger/store';
import { ChatList } from './chat-list';
import { ChatView } from './chat-view';
import { PeoplePanel } from './people-panel';
import { ProfileDialog } from './profile-dialog';

function createServices(session: Session, userId: string): Services {
  const send = (request: Request) => session.fetch(request);
  const store = new MessengerStore(userId);
  return {
    session,
    store,
    connection: new MessengerConnection(store, session),
    friends: friendsApi(send),
    directory: new Directory(store, send),
    graphql: (op, variables) => execute(send, op, variables),
  };
}

/** Everything a signed-in user sees; its services live as long as the sign-in. */
export function MessengerScreen({ session, userId }: { session: Session; userId: string }) {
  const [services] = useState(() => createServices(session, userId));

  useEffect(() => {
    services.connection.start();
    return () => services.connection.stop();
  }, [services]);

  useEffect(() => {
    // Own name: profile creates it from auth's event, so right after sign-up it may lag.
    let stopped = false;
    const load = async (attempt: number): Promise<void> => {
      try {
        services.directory.remember([(await services.graphql(MeDocument, {})).me]);
      } catch {
        if (!stopped && attempt < 10) setTimeout(() => void load(attempt + 1), 500 * attempt);
      }
    };
    void load(1);
    return () => {
      stopped = true;
    };
  }, [services]);

  return (
    <ServicesContext.Provider value={services}>
      <Shell />
    </ServicesContext.Provider>
  );
}

function Shell() {
  const { session } = useServices();
  const state = useMessenger();
  const [openChat, setOpenChat] = useState<string | null>(null);
  const [profileOpen, setProfileOpen] = useState(false);
  const me = state.people[state.me];
  const current = openChat && state.chats[openChat] ? openChat : null;

  return (
    <div className="app">
      <header className="topbar">
        <h1>Messenger</h1>
        <span className="whoami">{me ? `Signed in as ${me.nickname}` : ''}</span>
        <button type="button" onClick={() => setProfileOpen(true)}>
          Profile
        </button>
        <button type="button" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </header>
      {state.connection === 'offline' && (
        <p role="status" className="banner">
          You are offline. Reconnecting… Messages you send now go out once the connection is back.
        </p>
      )}
      <div className="layout">
        <aside className="sidebar">
          <ChatList current={current} onOpen={setOpenChat} />
          <PeoplePanel onOpenChat={setOpenChat} />
        </aside>
        <main className="main">
          {current ? (
            <ChatView key={current} chatId={current} />
          ) : (
            <p className="empty">Pick a chat, or message a friend.</p>
          )}
        </main>
      </div>
      {profileOpen && <ProfileDialog onClose={() => setProfileOpen(false)} />}
    </div>
  );
}
