import { stopAll } from './support/processes';

/** Stops the suite's broker and anything a spec left running. */
export default async function globalTeardown(): Promise<void> {
  await stopAll();
}
