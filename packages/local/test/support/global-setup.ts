import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTableInput, loadResourceDefinitions, startStack } from '../../src/stack';
import { rememberStack, takeStack } from './stack-handle';

/**
 * Starts one fresh in-memory stack for the whole jest run, on free ports and with its own home,
 * so it never touches a user's `books stack`. Test workers inherit the endpoints (and the
 * serverless.yml resource definitions @books/testkit creates isolated copies from) via env.
 */
export default async function globalSetup(): Promise<void> {
  const startedAt = Date.now();
  const home = mkdtempSync(join(tmpdir(), 'books-test-stack-'));
  const handle = await startStack({ home, persist: false, record: false });
  rememberStack(handle);
  // If jest exits without running globalTeardown (an interrupt, a crash), still stop the servers.
  process.once('exit', () => {
    const unstopped = takeStack();
    if (unstopped === undefined) return;
    for (const pid of [unstopped.dynamodb.pid, unstopped.sqs.pid]) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  });
  process.env.BOOKS_TEST_DYNAMODB_ENDPOINT = handle.endpoints.dynamodb;
  process.env.BOOKS_TEST_SQS_ENDPOINT = handle.endpoints.sqs;
  // fauxqs serves S3 on the same port as SQS.
  process.env.BOOKS_TEST_S3_ENDPOINT = handle.endpoints.sqs;
  const definitions = loadResourceDefinitions({ stage: 'test' });
  process.env.BOOKS_TEST_RESOURCE_DEFINITIONS = JSON.stringify({
    tables: definitions.tables.map((t) => ({
      logicalId: t.logicalId,
      createTable: createTableInput(t, t.tableName),
      timeToLiveAttribute: t.timeToLiveAttribute ?? null,
    })),
    queues: definitions.queues,
  });
  process.env.BOOKS_TEST_STACK_STARTUP_MS = String(Date.now() - startedAt);
}
