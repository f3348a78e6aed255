import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Directory } from './api/directory';
import type { FriendsApi } from './api/friends';
import type { Operation } from './api/graphql';
import type { Session } from './api/session';
import type { MessengerConnection } from './messenger/connection';
import type { MessengerState } from './messenger/state';
import type { MessengerStore } from './messenger/store';

/** What the signed-in screens use: one of each, made when the user signs in. */
export interface Services {
  session: Session;
  store: MessengerStore;
  connection: MessengerConnection;
  friends: FriendsApi;
  directory: Directory;
  graphql: <TData, TVariables>(
    op: Operation<TData, TVariables>,
    variables: TVariables,
  ) => Promise<TData>;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesContext');
  return services;
}

/** The messenger state, re-rendering on change. */
export function useMessenger(): MessengerState {
  const { store } = useServices();
  return useSyncExternalStore(store.subscribe, store.getState);
}

/** The name to show for a user: display name, else nickname. */
export function useDisplayName(userId: string): string {
  const person = useMessenger().people[userId];
  return person ? (person.displayName ?? person.nickname) : 'Unknown user';
}
