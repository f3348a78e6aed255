import { useState } from 'react';
import { useMessenger } from '../app-context';
import { displayableAvatarUrl } from './avatar-url';

/** The first character of a name (a whole emoji or accented letter), upper-cased. */
function initialOf(name: string): string {
  const [first = '?'] = Array.from(name.trim());
  return first.toLocaleUpperCase();
}

/**
 * A picture beside a name: the person's avatar image when they set one, else the name's
 * initial (also when the image fails to load). Decorative: the name next to it already
 * says who it is, so it is hidden from assistive technology and changes no accessible
 * name. The image is fetched without a Referer (the gateway's Referrer-Policy too), so the
 * avatar's host does not learn which page of the client asked.
 */
export function Avatar({ name, url }: { name: string; url: string | null | undefined }) {
  const src = displayableAvatarUrl(url);
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <span className="avatar" aria-hidden="true">
      {src && failed !== src ? (
        <img
          src={src}
          alt=""
          width={32}
          height={32}
          loading="lazy"
          decoding="async"
          referrerPolicy="no-referrer"
          onError={() => setFailed(src)}
        />
      ) : (
        initialOf(name)
      )}
    </span>
  );
}

/** {@link Avatar} of a user the client knows by id (friends, requests, chat members). */
export function PersonAvatar({ userId }: { userId: string }) {
  const person = useMessenger().people[userId];
  return (
    <Avatar name={person ? (person.displayName ?? person.nickname) : '?'} url={person?.avatarUrl} />
  );
}
