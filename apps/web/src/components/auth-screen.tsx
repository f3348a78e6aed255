import { useState, type FormEvent } from 'react';
import { describeError } from '../api/errors';
import type { Session } from '../api/session';

/** Sign in, or create an account; `notice` says why a session ended. */
export function AuthScreen({ session, notice }: { session: Session; notice?: string }) {
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const signingUp = mode === 'sign-up';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (signingUp) await session.signUp(email, password, nickname);
      else await session.signIn(email, password);
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  const switchTo = (next: typeof mode) => {
    setMode(next);
    setError(null);
  };

  return (
    <main className="auth">
      <form className="card" onSubmit={(e) => void submit(e)}>
        <h1>{signingUp ? 'Create an account' : 'Sign in'}</h1>
        {notice && !signingUp && <p role="status">{notice}</p>}
        <label>
          Email
          <input
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete={signingUp ? 'new-password' : 'current-password'}
            required
            minLength={signingUp ? 8 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {signingUp && (
          <label>
            Nickname
            <input
              autoComplete="username"
              required
              minLength={3}
              maxLength={32}
              pattern="[A-Za-z0-9_]+"
              title="3–32 letters, digits or underscores"
              value={nickname}
              onChange={(e) => setNickname(e.target.value)}
            />
          </label>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {signingUp ? 'Sign up' : 'Sign in'}
        </button>
        {signingUp ? (
          <button type="button" className="link" onClick={() => switchTo('sign-in')}>
            I have an account
          </button>
        ) : (
          <button type="button" className="link" onClick={() => switchTo('sign-up')}>
            Create an account
          </button>
        )}
      </form>
    </main>
  );
}
