import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../api/errors';
import { MeDocument, UpdateProfileDocument } from '../api/graphql';
import { useServices } from '../app-context';
import { Avatar } from './avatar';

/** Edit one's own profile (display name, bio, avatar URL) through GraphQL. */
export function ProfileDialog({ onClose }: { onClose: () => void }) {
  const { graphql, directory } = useServices();
  const dialog = useRef<HTMLDialogElement>(null);
  const [form, setForm] = useState({ displayName: '', bio: '', avatarUrl: '' });
  const [nickname, setNickname] = useState('');
  /** The avatar as saved (not as typed: a half-typed URL is no image to fetch). */
  const [avatarUrl, setAvatarUrl] = useState<string | null>(null);
  const [status, setStatus] = useState<{ error?: string; saved?: boolean }>({});
  const [busy, setBusy] = useState(true);

  useEffect(() => {
    dialog.current?.showModal();
    graphql(MeDocument, {}).then(
      ({ me }) => {
        setNickname(me.nickname);
        setAvatarUrl(me.avatarUrl);
        setForm({
          displayName: me.displayName ?? '',
          bio: me.bio ?? '',
          avatarUrl: me.avatarUrl ?? '',
        });
        setBusy(false);
      },
      (error: unknown) => {
        setStatus({ error: describeError(error) });
        setBusy(false);
      },
    );
  }, [graphql]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setStatus({});
    try {
      // Empty fields clear the value (null), as the API defines.
      const { updateProfile } = await graphql(UpdateProfileDocument, {
        input: {
          displayName: form.displayName.trim() || null,
          bio: form.bio.trim() || null,
          avatarUrl: form.avatarUrl.trim() || null,
        },
      });
      directory.remember([updateProfile]);
      setAvatarUrl(updateProfile.avatarUrl);
      setStatus({ saved: true });
    } catch (error) {
      setStatus({ error: describeError(error) });
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });

  return (
    <dialog ref={dialog} aria-labelledby="profile-title" onClose={onClose} className="card">
      <form onSubmit={(e) => void save(e)}>
        <h2 id="profile-title">Profile</h2>
        {nickname && (
          <div className="profile-who">
            <Avatar name={nickname} url={avatarUrl} />
            <p>Nickname: {nickname}</p>
          </div>
        )}
        <label>
          Display name
          <input maxLength={64} {...field('displayName')} />
        </label>
        <label>
          Bio
          <textarea maxLength={500} rows={3} {...field('bio')} />
        </label>
        <label>
          Avatar URL
          <input type="url" placeholder="https://…" maxLength={2048} {...field('avatarUrl')} />
        </label>
        {status.error && (
          <p role="alert" className="error">
            {status.error}
          </p>
        )}
        {status.saved && <p role="status">Profile saved.</p>}
        <div className="row">
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
      </form>
    </dialog>
  );
}
