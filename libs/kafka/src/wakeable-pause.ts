/**
 * A pause between a loop's rounds that can be cut short: `pause(ms)` waits, `wake()` ends
 * the current wait at once (new work, or shutdown). Used by the outbox relay and the
 * event-table pruner.
 */
export class WakeablePause {
  private wakeCurrent?: () => void;

  pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wakeCurrent === done) this.wakeCurrent = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeCurrent = done;
    });
  }

  wake(): void {
    this.wakeCurrent?.();
  }
}
