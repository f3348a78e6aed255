import type { MessengerStore } from '../messenger/store';
import {
  execute,
  type Profile,
  USERS_PER_QUERY,
  usersByIdDocument,
  usersByIdVariables,
} from './graphql';

/**
 * Names and avatars of the people the client shows: friends, requests and pushed chats
 * carry user ids only, so the missing ones are looked up in profile (one aliased query per
 * 40 ids) and kept in the store beside the names `chat:list` brings.
 */
export class Directory {
  private readonly asked = new Set<string>();

  constructor(
    private readonly store: MessengerStore,
    private readonly send: (request: Request) => Promise<Response>,
  ) {}

  /** Looks up whichever of `userIds` has no name or avatar yet (each id once). */
  async ensure(userIds: Iterable<string>): Promise<void> {
    const known = this.store.getState().people;
    // Names from `chat:list` come without avatars: those people are asked once too.
    const missing = [...new Set(userIds)].filter(
      (id) => known[id]?.avatarUrl === undefined && !this.asked.has(id),
    );
    for (const id of missing) this.asked.add(id);
    for (let i = 0; i < missing.length; i += USERS_PER_QUERY) {
      const ids = missing.slice(i, i + USERS_PER_QUERY);
      try {
        const data = await execute(
          this.send,
          usersByIdDocument(ids.length),
          usersByIdVariables(ids),
        );
        this.remember(Object.values(data).filter((p): p is Profile => p !== null));
      } catch {
        // Shown as "Unknown user" until asked again later.
        for (const id of ids) this.asked.delete(id);
      }
    }
  }

  remember(profiles: Profile[]): void {
    if (profiles.length === 0) return;
    this.store.update((s) => ({
      ...s,
      people: {
        ...s.people,
        ...Object.fromEntries(
          profiles.map((p) => [
            p.id,
            { nickname: p.nickname, displayName: p.displayName, avatarUrl: p.avatarUrl },
          ]),
        ),
      },
    }));
  }
}
