import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, errorMessage } from '@books/core';
import { type SampleBarsGenerated, sampleBars } from '../daily-run/sample-days';
import { type StackHandle, startStack, stopStack } from '../stack';
import { localSqs } from '../stack/clients';
import { ensureResources } from '../stack/resources';
import { deployedFunctionName, offlineLambda } from './offline-lambda';
import { pollThroughOffline } from './offline-poller';
import { type OfflineServer, startOffline } from './offline-server';
import { readServerlessFunctions } from './serverless-functions';

export interface DevLoopOptions {
  readonly home: string;
  readonly stage: string;
  readonly lambdaPort: number;
  readonly httpPort: number;
  /** Rebundle the functions when a package's source changes. */
  readonly reload: boolean;
  /** Aborted by Ctrl-C: everything this loop started stops, a stack it found running stays. */
  readonly signal: AbortSignal;
}

/** What the dev loop reports as it goes, in order. */
export type DevLoopEvent =
  /** The sample bars the offline functions read (the local overlay's BOOKS_BARS) were generated. */
  | SampleBarsGenerated
  | {
      readonly kind: 'stack-ready';
      readonly reused: boolean;
      readonly endpoints: { readonly dynamodb: string; readonly sqs: string };
    }
  | { readonly kind: 'offline-starting' }
  /** Everything runs: offline serves the functions and the poller delivers the queue through it. */
  | {
      readonly kind: 'serving';
      readonly offlineEndpoint: string;
      readonly offlinePid: number;
      readonly offlineLog: string;
      readonly queueUrl: string;
      readonly consumer: string;
      readonly logFile: string;
      readonly lambdaPort: number;
    };

/** How the loop ended; `stack` says what became of the stack (for the last line a caller prints). */
export type DevLoopOutcome = {
  /** none: it never came up; reused: it was running before and stays up; started: it was stopped. */
  readonly stack: 'none' | 'reused' | 'started';
} & (
  | { readonly kind: 'stopped' }
  /** The running stack serves another stage. */
  | { readonly kind: 'other-stage'; readonly running: string }
  | { readonly kind: 'offline-exited'; readonly exit: unknown; readonly offlineLog: string }
  | { readonly kind: 'failed'; readonly message: string }
);

/**
 * `books dev` (`pnpm dev`): the sample bars, the embedded stack (the running one, else started),
 * serverless-offline serving the functions on its Lambda endpoint, and the execution queue's
 * poller delivering through it, until `signal` aborts or offline exits. Everything it started is
 * stopped before it returns.
 */
export async function runDevLoop(
  options: DevLoopOptions,
  onEvent: (event: DevLoopEvent) => void,
): Promise<DevLoopOutcome> {
  sampleBars(options.home, onEvent);
  const logs = join(options.home, 'logs');
  mkdirSync(logs, { recursive: true });
  const logFile = join(logs, 'dev.log');
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const logger = createLogger({ service: 'books-dev' }, { destination: logStream });
  let stack: StackHandle | undefined;
  let offline: OfflineServer | undefined;
  const stackFate = (): DevLoopOutcome['stack'] => (stack ? (stack.reused ? 'reused' : 'started') : 'none');
  try {
    stack = await startStack({ home: options.home, stage: options.stage });
    const stage = stack.stage ?? 'local';
    if (stage !== options.stage) return { kind: 'other-stage', running: stage, stack: stackFate() };
    onEvent({ kind: 'stack-ready', reused: stack.reused, endpoints: stack.endpoints });
    if (options.signal.aborted) return { kind: 'stopped', stack: stackFate() };
    onEvent({ kind: 'offline-starting' });
    offline = await startOffline({
      stage,
      lambdaPort: options.lambdaPort,
      httpPort: options.httpPort,
      booksHome: options.home,
      logFile: join(logs, 'offline.log'),
      reload: options.reload,
    });
    const functions = readServerlessFunctions();
    const consumer = functions.consumerOf('ExecutionQueue');
    const queue = (await ensureResources(stack.endpoints, stage)).queues.find(
      (q) => q.logicalId === 'ExecutionQueue',
    );
    if (!queue) throw new Error('serverless.yml declares no ExecutionQueue');
    onEvent({
      kind: 'serving',
      offlineEndpoint: offline.endpoint,
      offlinePid: offline.pid,
      offlineLog: offline.logFile,
      queueUrl: queue.url,
      consumer: deployedFunctionName(functions.service, stage, consumer),
      logFile,
      lambdaPort: options.lambdaPort,
    });
    const sqs = localSqs(stack.endpoints.sqs);
    const lambda = offlineLambda(offline.endpoint);
    const stopPolling = new AbortController();
    const running = offline;
    const onAbort = () => stopPolling.abort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    const watchdog = setInterval(() => {
      if (running.exited() !== undefined) stopPolling.abort();
    }, 500);
    try {
      await pollThroughOffline(
        {
          sqs,
          queueUrl: queue.url,
          lambda,
          functionName: deployedFunctionName(functions.service, stage, consumer),
          logger,
        },
        stopPolling.signal,
      );
    } finally {
      clearInterval(watchdog);
      options.signal.removeEventListener('abort', onAbort);
      sqs.destroy();
      lambda.destroy();
    }
    const exit = offline.exited();
    if (exit !== undefined && !options.signal.aborted)
      return { kind: 'offline-exited', exit, offlineLog: offline.logFile, stack: stackFate() };
    return { kind: 'stopped', stack: stackFate() };
  } catch (e) {
    return { kind: 'failed', message: errorMessage(e), stack: stackFate() };
  } finally {
    if (offline) await offline.stop();
    if (stack && !stack.reused) await stopStack(stack);
    logStream.end();
  }
}
