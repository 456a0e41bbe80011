import { type SampleBarsGenerated, sampleBars } from '../daily-run/sample-days';
import { startStack } from './stack';
import { type StackStatus, stackStatus } from './status';

export interface StackUpArgs {
  readonly home: string;
  readonly stage: string;
  /** Keep nothing on disk. */
  readonly inMemory: boolean;
  /** Wall clock in ms, for the start's duration. */
  readonly nowMs: () => number;
}

/** What `stackUp` reports as it goes, in order. */
export type StackUpEvent =
  | { readonly kind: 'stack-ready'; readonly reused: boolean; readonly elapsedMs: number }
  | SampleBarsGenerated;

/**
 * `books stack up`: the stack started (or the running one reused) with the stage's resources,
 * then the sample bars the functions read under `sls invoke local` (`{home}/sample-bars`), so a
 * function can be invoked right away; returns the stack's status. Throws when it cannot start.
 */
export async function stackUp(
  args: StackUpArgs,
  onEvent: (event: StackUpEvent) => void,
): Promise<StackStatus> {
  const startedAt = args.nowMs();
  const handle = await startStack({ home: args.home, stage: args.stage, persist: !args.inMemory });
  onEvent({ kind: 'stack-ready', reused: handle.reused, elapsedMs: args.nowMs() - startedAt });
  sampleBars(args.home, onEvent);
  return stackStatus({ home: args.home });
}
