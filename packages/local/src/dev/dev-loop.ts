import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, errorMessage } from '@books/core';
import { type StackHandle, startStack, stopStack } from '../stack';
import { localSqs } from '../stack/clients';
import { ensureResources } from '../stack/resources';
import { deployedFunctionName, offlineLambda } from './offline-lambda';
import { pollThroughOffline } from './offline-poller';
import { type OfflineServer, startOffline } from './offline-server';
import { readServerlessFunctions } from './serverless-functions';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

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

/**
 * `books dev` (`pnpm dev`): the embedded stack (the running one, else started), serverless-offline
 * serving the functions on its Lambda endpoint, and the execution queue's poller delivering
 * through it, until `signal` aborts or offline exits. Returns the exit code.
 */
export async function runDevLoop(options: DevLoopOptions, io: Output): Promise<number> {
  const logs = join(options.home, 'logs');
  mkdirSync(logs, { recursive: true });
  const logFile = join(logs, 'dev.log');
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const logger = createLogger({ service: 'books-dev' }, { destination: logStream });
  let stack: StackHandle | undefined;
  let offline: OfflineServer | undefined;
  try {
    stack = await startStack({ home: options.home, stage: options.stage });
    const stage = stack.stage ?? 'local';
    if (stage !== options.stage) {
      io.err(`books dev: the running stack serves stage ${stage}; run with --stage ${stage}\n`);
      return 2;
    }
    io.out(
      `stack: ${stack.reused ? 'reused the running one' : 'started'} (dynamodb ${stack.endpoints.dynamodb}, sqs ${stack.endpoints.sqs})\n`,
    );
    if (options.signal.aborted) return 0;
    io.out('serverless-offline: bundling the functions and starting…\n');
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
    io.out(
      [
        `serverless-offline: Lambda endpoint ${offline.endpoint} (pid ${offline.pid}, log ${offline.logFile})`,
        `poller: ${queue.url} → ${deployedFunctionName(functions.service, stage, consumer)} through offline`,
        `logs: ${logFile}`,
        `In another terminal:  pnpm books run --via-offline [--date YYYY-MM-DD]${options.lambdaPort === 3002 ? '' : ` --lambda-port ${options.lambdaPort}`}`,
        'Ctrl-C stops.',
        '',
      ].join('\n'),
    );
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
    if (exit !== undefined && !options.signal.aborted) {
      io.err(`books dev: serverless-offline exited (${JSON.stringify(exit)}); see ${offline.logFile}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    io.err(`books dev: ${errorMessage(e)}\n`);
    return 1;
  } finally {
    if (offline) await offline.stop();
    if (stack && !stack.reused) await stopStack(stack);
    io.out(
      `stopped: serverless-offline${stack ? (stack.reused ? '; the stack stays up (it was running before)' : ' and the stack') : ''}\n`,
    );
    logStream.end();
  }
}
