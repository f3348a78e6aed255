import { StrictMode, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { Session } from './api/session';
import { AuthScreen } from './components/auth-screen';
import { MessengerScreen } from './components/messenger-screen';
import './styles.css';

function App({ session }: { session: Session }) {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  switch (state.status) {
    case 'restoring':
      return <p role="status">Loading…</p>;
    case 'signed-out':
      return <AuthScreen session={session} notice={state.notice} />;
    case 'signed-in':
      // A new sign-in gets fresh services (socket, store): nothing of the last user remains.
      return <MessengerScreen key={state.userId} session={session} userId={state.userId} />;
  }
}

const session = new Session();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App session={session} />
  </StrictMode>,
);
void session.restore();
