import { rmSync } from 'node:fs';
import { stopStack } from '../../src/stack';
import { takeStack } from './stack-handle';

/** Stops the run's stack by pid and removes its temporary home. */
export default async function globalTeardown(): Promise<void> {
  const handle = takeStack();
  if (handle === undefined) return;
  await stopStack(handle);
  rmSync(handle.home, { recursive: true, force: true });
}
