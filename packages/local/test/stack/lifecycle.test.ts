import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  formatStatus,
  localDynamoDb,
  localSqs,
  type StackHandle,
  stackStatus,
  startStack,
  stopRecordedStack,
} from '../../src/stack';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); /proc tells.
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/\) Z /.test(stat);
}

// A recorded, persisted stack in a home of its own, as `books stack up` runs it (without touching
// the user's .books or the jest run's stack).
describe('a recorded stack (books stack up|status|down)', () => {
  const home = mkdtempSync(join(tmpdir(), 'books-stack-lifecycle-'));
  let first: StackHandle | undefined;

  afterAll(async () => {
    await stopRecordedStack(home);
    rmSync(home, { recursive: true, force: true });
  });

  it('starts both servers once when two ups race, creates the stage resources and records them', async () => {
    const [a, b] = await Promise.all([
      startStack({ home, stage: 'local' }),
      startStack({ home, stage: 'local' }),
    ]);
    expect([a.reused, b.reused].sort()).toEqual([false, true]);
    expect(a.dynamodb.pid).toBe(b.dynamodb.pid);
    first = a.reused ? b : a;
    expect(alive(first.dynamodb.pid)).toBe(true);
    expect(alive(first.sqs.pid)).toBe(true);
    expect(first.dynamodb.dataDir).toBe(join(home, 'dynamodb'));
    expect(existsSync(join(home, 'stack.json'))).toBe(true);
  }, 60_000);

  it('reports processes, endpoints, tables and queues with message counts', async () => {
    const status = await stackStatus({ home });
    expect(status.state).toBe('running');
    const text = formatStatus(status);
    expect(text).toContain(`dynamodb pid ${first?.dynamodb.pid} up  ${first?.dynamodb.endpoint}`);
    expect(text).toContain(`sqs      pid ${first?.sqs.pid} up  ${first?.sqs.endpoint}`);
    expect(text).toMatch(/strategy-books-local-ledger {2}0 items/);
    expect(text).toMatch(/strategy-books-local-execution {2}0 visible, 0 in flight, 0 delayed/);
    expect(text).toMatch(/strategy-books-local-execution-dlq {2}0 visible/);
  });

  it('reuses a running healthy stack when started again', async () => {
    const second = await startStack({ home, stage: 'local' });
    expect(second.reused).toBe(true);
    expect(second.dynamodb.pid).toBe(first?.dynamodb.pid);
    expect(second.sqs.pid).toBe(first?.sqs.pid);
  });

  it('stops both processes by pid and forgets the stack', async () => {
    const client = localDynamoDb(first?.dynamodb.endpoint ?? '');
    await client.send(
      new CreateTableCommand({
        TableName: 'survives-restart',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
      }),
    );
    client.destroy();
    const queueUrl = first?.resources?.queues.find((q) => q.logicalId === 'ExecutionQueue')?.url;
    const sqs = localSqs(first?.sqs.endpoint ?? '');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'still here after a restart' }));
    sqs.destroy();
    const stopped = await stopRecordedStack(home);
    expect(stopped?.dynamodb.pid).toBe(first?.dynamodb.pid);
    expect(alive(first?.dynamodb.pid ?? 0)).toBe(false);
    expect(alive(first?.sqs.pid ?? 0)).toBe(false);
    expect(existsSync(join(home, 'stack.json'))).toBe(false);
    expect(formatStatus(await stackStatus({ home }))).toMatch(/^stack: stopped/);
  }, 30_000);

  it('keeps tables and queued messages on disk across a restart', async () => {
    const again = await startStack({ home });
    expect(again.reused).toBe(false);
    const client = localDynamoDb(again.endpoints.dynamodb);
    const { TableNames } = await client.send(new ListTablesCommand({}));
    client.destroy();
    expect(TableNames).toEqual(expect.arrayContaining(['survives-restart', 'strategy-books-local-ledger']));
    expect(formatStatus(await stackStatus({ home }))).toMatch(/strategy-books-local-execution {2}1 visible/);
  }, 60_000);

  it('replaces a stack one of whose servers died, stopping the survivor', async () => {
    const before = await startStack({ home });
    expect(before.reused).toBe(true);
    process.kill(before.sqs.pid, 'SIGKILL');
    await waitUntil(() => !alive(before.sqs.pid));
    expect((await stackStatus({ home })).state).toBe('degraded');
    const after = await startStack({ home });
    expect(after.reused).toBe(false);
    expect(alive(before.dynamodb.pid)).toBe(false);
    expect(alive(after.dynamodb.pid)).toBe(true);
    await stopRecordedStack(home);
    expect(alive(after.dynamodb.pid)).toBe(false);
    expect(alive(after.sqs.pid)).toBe(false);
  }, 60_000);
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
}
