import { initialState, type MessengerState } from './state';

/** Holds the messenger state for React (`useSyncExternalStore`): one snapshot per change. */
export class MessengerStore {
  private state: MessengerState;
  private readonly listeners = new Set<() => void>();

  constructor(me: string) {
    this.state = initialState(me);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): MessengerState => this.state;

  update(change: (state: MessengerState) => MessengerState): void {
    const next = change(this.state);
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}
