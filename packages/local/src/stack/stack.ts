import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BooksError, type Clock, systemClock } from '@books/core';
import type { StackEndpoints } from './clients';
import { dynamoDbAnswers, startDynamoDb } from './dynamodb-server';
import { withStackLock } from './lock';
import { booksHome } from './paths';
import { freePort, isRunning, stopProcess } from './processes';
import { type EnsuredResources, ensureResources } from './resources';
import { PROCESS_MARKERS, type ServerRecord } from './server-process';
import { sqsAnswers, startSqs } from './sqs-server';
import { readState, removeState, type StackState, writeState } from './state';

export interface StartStackOptions {
  /** Folder for state, logs and data; default `$BOOKS_HOME` or `<workspace>/.books`. */
  readonly home?: string;
  /** Keep tables and queues on disk under `home` (default), or in memory only. */
  readonly persist?: boolean;
  /**
   * Record the stack in `<home>/stack.json` (default) so `books stack down|status` find it and a
   * second start reuses it. Tests pass false: their stack is theirs alone.
   */
  readonly record?: boolean;
  /** Create serverless.yml's tables and queues for this stage; none when omitted. */
  readonly stage?: string;
  readonly serverlessFile?: string;
  readonly clock?: Clock;
}

export interface StackHandle extends StackState {
  readonly endpoints: StackEndpoints;
  /** True when an already-running healthy stack was found and reused. */
  readonly reused: boolean;
  readonly resources: EnsuredResources | null;
}

/**
 * Starts DynamoDB Local and fauxqs in parallel on free loopback ports, or reuses the recorded
 * stack when both of its servers still answer. A half-alive recorded stack is stopped first.
 */
export async function startStack(options: StartStackOptions = {}): Promise<StackHandle> {
  const home = options.home ?? booksHome();
  return (options.record ?? true)
    ? withStackLock(home, () => startLocked(home, true, options))
    : startLocked(home, false, options);
}

async function startLocked(home: string, record: boolean, options: StartStackOptions): Promise<StackHandle> {
  const stage = options.stage ?? null;
  const resourcesFor = async (endpoints: StackEndpoints) =>
    stage === null
      ? null
      : await ensureResources(
          endpoints,
          stage,
          options.serverlessFile ? { serverlessFile: options.serverlessFile } : {},
        );

  if (record) {
    const existing = readState(home);
    if (existing !== undefined) {
      if (await isHealthy(existing)) {
        const endpoints = endpointsOf(existing);
        return { ...existing, endpoints, reused: true, resources: await resourcesFor(endpoints) };
      }
      await stopServers(existing);
      removeState(home);
    }
  }

  const persist = options.persist ?? true;
  const logs = join(home, 'logs');
  mkdirSync(logs, { recursive: true });
  const [dynamoPort, sqsPort] = await Promise.all([freePort(), freePort()]);
  const started = await Promise.allSettled([
    startDynamoDb({
      port: dynamoPort,
      dataDir: persist ? join(home, 'dynamodb') : null,
      logFile: join(logs, 'dynamodb.log'),
      detached: record,
    }),
    startSqs({
      port: sqsPort,
      dataDir: persist ? join(home, 'sqs') : null,
      logFile: join(logs, 'fauxqs.log'),
      detached: record,
    }),
  ]);
  const [dynamo, sqs] = started;
  if (dynamo.status === 'rejected' || sqs.status === 'rejected') {
    // Never leave the other server running when one failed.
    if (dynamo.status === 'fulfilled') await stopProcess(dynamo.value.pid, PROCESS_MARKERS.dynamodb);
    if (sqs.status === 'fulfilled') await stopProcess(sqs.value.pid, PROCESS_MARKERS.sqs);
    const reasons = started.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    throw new BooksError(
      'STACK_START',
      `the embedded stack did not start: ${reasons.map((r) => (r instanceof Error ? r.message : String(r))).join('\n')}`,
      { home },
      { cause: reasons[0] },
    );
  }
  const state: StackState = {
    version: 1,
    startedAt: (options.clock ?? systemClock).now().toISOString(),
    home,
    stage,
    dynamodb: dynamo.value,
    sqs: sqs.value,
  };
  if (record) writeState(state);
  const endpoints = endpointsOf(state);
  try {
    return { ...state, endpoints, reused: false, resources: await resourcesFor(endpoints) };
  } catch (e) {
    await stopStack(state);
    throw e;
  }
}

/** Stops both servers by pid (SIGTERM, then SIGKILL) and forgets the recorded state if it is this stack. */
export async function stopStack(handle: StackState): Promise<void> {
  await stopServers(handle);
  const recorded = readState(handle.home);
  if (recorded && recorded.dynamodb.pid === handle.dynamodb.pid && recorded.sqs.pid === handle.sqs.pid)
    removeState(handle.home);
}

/** Stops the stack recorded under `home`; returns it, or undefined when none was recorded. */
export async function stopRecordedStack(home: string = booksHome()): Promise<StackState | undefined> {
  return withStackLock(home, async () => {
    const state = readState(home);
    if (state === undefined) return undefined;
    await stopStack(state);
    return state;
  });
}

export function endpointsOf(state: StackState): StackEndpoints {
  return { dynamodb: state.dynamodb.endpoint, sqs: state.sqs.endpoint };
}

async function stopServers(state: StackState): Promise<void> {
  await Promise.all([
    stopProcess(state.dynamodb.pid, PROCESS_MARKERS.dynamodb),
    stopProcess(state.sqs.pid, PROCESS_MARKERS.sqs),
  ]);
}

export async function isHealthy(state: StackState): Promise<boolean> {
  const [dynamo, sqs] = await Promise.all([
    serverHealth(state.dynamodb, 'dynamodb'),
    serverHealth(state.sqs, 'sqs'),
  ]);
  return dynamo.running && dynamo.answers && sqs.running && sqs.answers;
}

export async function serverHealth(
  server: ServerRecord,
  kind: 'dynamodb' | 'sqs',
): Promise<{ running: boolean; answers: boolean }> {
  const running = isRunning(server.pid, PROCESS_MARKERS[kind]);
  if (!running) return { running, answers: false };
  const answers =
    kind === 'dynamodb' ? await dynamoDbAnswers(server.endpoint) : await sqsAnswers(server.endpoint);
  return { running, answers };
}
