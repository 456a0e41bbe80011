import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { localDynamoDb, localSqs } from './clients';
import { booksHome } from './paths';
import { serverHealth } from './stack';
import { readState, type StackState } from './state';

export interface ServerStatus {
  readonly pid: number;
  readonly endpoint: string;
  readonly running: boolean;
  readonly answers: boolean;
  readonly dataDir: string | null;
}

export interface QueueStatus {
  readonly url: string;
  readonly name: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export type StackStatus =
  | { readonly state: 'stopped'; readonly home: string }
  | {
      readonly state: 'running' | 'degraded';
      readonly home: string;
      readonly startedAt: string;
      readonly dynamodb: ServerStatus;
      readonly sqs: ServerStatus;
      readonly tables: readonly { name: string; itemCount: number }[];
      readonly queues: readonly QueueStatus[];
    };

/** What the recorded stack under `home` runs: processes, endpoints, tables and queues with counts. */
export async function stackStatus(options: { home?: string } = {}): Promise<StackStatus> {
  const home = options.home ?? booksHome();
  const state = readState(home);
  if (state === undefined) return { state: 'stopped', home };
  return statusOf(state);
}

export async function statusOf(state: StackState): Promise<StackStatus> {
  const [dynamoHealth, sqsHealth] = await Promise.all([
    serverHealth(state.dynamodb, 'dynamodb'),
    serverHealth(state.sqs, 'sqs'),
  ]);
  const server = (r: StackState['dynamodb'], h: { running: boolean; answers: boolean }): ServerStatus => ({
    pid: r.pid,
    endpoint: r.endpoint,
    dataDir: r.dataDir,
    ...h,
  });
  return {
    state: dynamoHealth.answers && sqsHealth.answers ? 'running' : 'degraded',
    home: state.home,
    startedAt: state.startedAt,
    dynamodb: server(state.dynamodb, dynamoHealth),
    sqs: server(state.sqs, sqsHealth),
    tables: dynamoHealth.answers ? await listTables(state.dynamodb.endpoint) : [],
    queues: sqsHealth.answers ? await listQueues(state.sqs.endpoint) : [],
  };
}

async function listTables(endpoint: string): Promise<{ name: string; itemCount: number }[]> {
  const client = localDynamoDb(endpoint);
  try {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      names.push(...(page.TableNames ?? []));
      start = page.LastEvaluatedTableName;
    } while (start !== undefined);
    return await Promise.all(
      names.map(async (name) => {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        return { name, itemCount: Table?.ItemCount ?? 0 };
      }),
    );
  } finally {
    client.destroy();
  }
}

async function listQueues(endpoint: string): Promise<QueueStatus[]> {
  const client = localSqs(endpoint);
  try {
    const urls: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListQueuesCommand({ NextToken: token, MaxResults: 1000 }));
      urls.push(...(page.QueueUrls ?? []));
      token = page.NextToken;
    } while (token !== undefined);
    const count = (v: string | undefined) => Number.parseInt(v ?? '0', 10);
    return await Promise.all(
      urls.sort().map(async (url) => {
        const { Attributes: a = {} } = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        );
        return {
          url,
          name: url.slice(url.lastIndexOf('/') + 1),
          visible: count(a.ApproximateNumberOfMessages),
          inFlight: count(a.ApproximateNumberOfMessagesNotVisible),
          delayed: count(a.ApproximateNumberOfMessagesDelayed),
        };
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Human-readable status, as `books stack status` prints it. */
export function formatStatus(status: StackStatus): string {
  if (status.state === 'stopped') return `stack: stopped (no stack recorded under ${status.home})\n`;
  const server = (name: string, s: ServerStatus) =>
    `  ${name.padEnd(8)} pid ${s.pid} ${s.running ? (s.answers ? 'up' : 'NOT ANSWERING') : 'GONE'}  ${s.endpoint}  ${s.dataDir ?? 'in memory'}`;
  const lines = [
    `stack: ${status.state} since ${status.startedAt} (${status.home})`,
    server('dynamodb', status.dynamodb),
    server('sqs', status.sqs),
    `tables (${status.tables.length}):`,
    ...status.tables.map((t) => `  ${t.name}  ${t.itemCount} items`),
    `queues (${status.queues.length}):`,
    ...status.queues.map(
      (q) => `  ${q.name}  ${q.visible} visible, ${q.inFlight} in flight, ${q.delayed} delayed  ${q.url}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
