import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger, errorMessage } from '@books/core';
import {
  endpointsOf,
  flowFlagsFile,
  type SampleBarsGenerated,
  startStack,
  stopStack,
  workspaceRoot,
} from '@books/local';
import { barsDirectory, checkReportDirectory, checkWindow, openLog } from '../history-args';
import { renderReport } from '../report/render';
import { replayReportData } from '../report/replay-report';
import { type ReplayResult, runReplay } from './engine';
import type { ReplayFlow } from './flows';
import type { Progress } from './progress';
import { resolveConfig } from './resolve-config';

export interface StackReplayArgs {
  /** Where the stack, the state file, the logs and the sample bars live (`booksHome()`). */
  readonly home: string;
  readonly from: string;
  readonly to: string;
  /** The configuration (see resolveConfig); default strategies/config.local.json. */
  readonly config?: string;
  /** A directory of CSV bars; default the sample bars under home. */
  readonly data?: string;
  readonly stage: string;
  readonly cash: string;
  /** Write the self-contained HTML report of the replay there. */
  readonly report?: string;
  /** Every strategy on this flow (written to the stage's flow flags); default: as configured. */
  readonly flow?: ReplayFlow;
  /** false: the simulated broker applies no corporate action (default: it applies them). */
  readonly corporateActions?: boolean;
}

/** What the replay reports as it goes, in order. */
export type StackReplayEvent =
  | SampleBarsGenerated
  | { readonly kind: 'progress'; readonly progress: Progress }
  /** The days are run (all, or until stopped); the report, if asked, is written next. */
  | { readonly kind: 'replayed'; readonly result: ReplayResult; readonly stateFile: string }
  | { readonly kind: 'report-written'; readonly file: string };

export type StackReplayOutcome =
  /** The arguments were refused before anything started (a usage error). */
  | { readonly kind: 'rejected'; readonly message: string }
  | {
      readonly kind: 'done';
      /** Every day of the range is done (false: stopped; the same arguments continue). */
      readonly complete: boolean;
      readonly breakDays: number;
      readonly stateFile: string;
      readonly logFile: string;
    }
  | { readonly kind: 'failed'; readonly message: string; readonly logFile: string };

export interface StackReplayHooks {
  readonly onEvent: (event: StackReplayEvent) => void;
  /** Called once the arguments are accepted, just before the stack starts (e.g. to listen for Ctrl-C). */
  readonly onStart?: () => void;
  /** Asked after each day; true stops the replay there (the state is saved). */
  readonly shouldStop: () => boolean;
  /** The report's "generated" time. */
  readonly now: () => Date;
}

/**
 * A replay on the persisted embedded stack (`books replay`): the stack started (or reused) under
 * the replay's own stage, the resumable state in `replay-<stage>.json` under home, the log in
 * `logs/replay-<stage>.log`; the real daily cycle once per trading day of the data, then the
 * optional HTML report while the stack still serves the stage's ledger. A stack it started is
 * stopped before it returns.
 */
export async function replayOnEmbeddedStack(
  args: StackReplayArgs,
  hooks: StackReplayHooks,
): Promise<StackReplayOutcome> {
  const { home } = args;
  let config: string;
  let data: string;
  try {
    checkWindow(args);
    config = resolveConfig(args.config, join(workspaceRoot(), 'strategies'));
    data = barsDirectory(args.data, home, hooks.onEvent);
    checkReportDirectory(args.report);
  } catch (e) {
    return { kind: 'rejected', message: errorMessage(e) };
  }

  const stateFile = join(home, `replay-${args.stage}.json`);
  const { logFile, logStream } = openLog(home, `replay-${args.stage}`);
  hooks.onStart?.();
  const stack = await startStack({ home, stage: args.stage });
  try {
    const result = await runReplay({
      endpoints: endpointsOf(stack),
      stage: args.stage,
      args: {
        from: args.from,
        to: args.to,
        config,
        data,
        initialCash: args.cash,
        ...(args.flow !== undefined ? { flow: args.flow } : {}),
        ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
      },
      stateFile,
      flowFlagsFile: flowFlagsFile(home, args.stage),
      logger: createLogger({ service: 'books-replay' }, { destination: logStream }),
      onProgress: (progress) => hooks.onEvent({ kind: 'progress', progress }),
      shouldStop: hooks.shouldStop,
    });
    hooks.onEvent({ kind: 'replayed', result, stateFile });
    if (args.report !== undefined) {
      const file = resolve(args.report);
      writeFileSync(
        file,
        renderReport(await replayReportData(result, { stage: args.stage, now: hooks.now() })),
      );
      hooks.onEvent({ kind: 'report-written', file });
    }
    return {
      kind: 'done',
      complete: result.complete,
      breakDays: result.summary.reconciliation.breakDays,
      stateFile,
      logFile,
    };
  } catch (e) {
    return { kind: 'failed', message: errorMessage(e), logFile };
  } finally {
    logStream.end();
    if (!stack.reused) await stopStack(stack);
  }
}
