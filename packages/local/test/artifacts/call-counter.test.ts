import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatCalls, formatWaterfall, startCallCounter } from '../../src/artifacts/call-counter';

/** An upstream that answers every request with its own body, as a server would answer the call. */
async function echoServer(): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.from(chunk));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(Buffer.concat(chunks));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Sends one AWS call (its `X-Amz-Target` and JSON body) through the counter; its echoed body. */
function callThrough(counter: { readonly url: string }) {
  return (target: string, body: unknown): Promise<unknown> =>
    fetch(counter.url, {
      method: 'POST',
      headers: { 'x-amz-target': target },
      body: JSON.stringify(body),
    }).then((r) => r.json());
}

describe('the call counter of bench cold-start', () => {
  it('labels each call with the kinds of ledger item it keys: the sort key, else the partition', async () => {
    const upstream = await echoServer();
    const counter = await startCallCounter(upstream.url);
    try {
      const call = callThrough(counter);
      const key = (PK: string, SK: string) => ({ PK: { S: PK }, SK: { S: SK } });
      await call('DynamoDB_20120810.TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 't', Item: { ...key('RUN#r1', 'INTENT#abc'), state: { S: 'NEW' } } } },
          { ConditionCheck: { TableName: 't', Key: key('LOCK#SYMBOL#SPY', 'LOCK') } },
        ],
      });
      await call('DynamoDB_20120810.Query', {
        TableName: 't',
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'STRATEGY#momentum#BOOK' } },
      });
      await call('DynamoDB_20120810.GetItem', { TableName: 't', Key: key('RUN#r1', 'META') });
      expect(counter.take().calls.map((c) => c.items)).toEqual(['INTENT,LOCK', 'BOOK', 'META']);
    } finally {
      await counter.close();
      upstream.server.close();
    }
  });

  it('forwards each call and counts it by operation and table, afresh after each take', async () => {
    const upstream = await echoServer();
    const counter = await startCallCounter(upstream.url);
    try {
      const call = callThrough(counter);
      const get = { TableName: 'strategy-books-local-ledger', Key: { PK: { S: 'A' }, SK: { S: 'B' } } };
      expect(await call('DynamoDB_20120810.GetItem', get)).toEqual(get);
      await call('DynamoDB_20120810.GetItem', get);
      await call('DynamoDB_20120810.BatchGetItem', { RequestItems: { 'strategy-books-local-ledger': {} } });
      await call('AmazonSQS.SendMessage', { QueueUrl: 'q' });
      const taken = counter.take();
      expect(formatCalls(taken.counts)).toBe(
        '4 (GetItem [ledger] 2, BatchGetItem [ledger] 1, SendMessage 1)',
      );
      // In the order they were sent (each awaited before the next), each timed from the last take.
      expect(taken.calls.map((c) => c.name)).toEqual([
        'GetItem [ledger]',
        'GetItem [ledger]',
        'BatchGetItem [ledger]',
        'SendMessage',
      ]);
      for (const [i, c] of taken.calls.entries()) {
        expect(c.tookMs).toBeGreaterThanOrEqual(0);
        if (i > 0)
          expect(c.atMs).toBeGreaterThanOrEqual(
            (taken.calls[i - 1]?.atMs ?? 0) + (taken.calls[i - 1]?.tookMs ?? 0),
          );
      }
      expect(formatWaterfall(taken.calls)).toHaveLength(4);
      expect(formatWaterfall(taken.calls)[2]).toContain('BatchGetItem [ledger]');
      // The waterfall names the kinds of ledger item each call keys.
      expect(taken.calls.map((c) => c.items)).toEqual(['B', 'B', '', '']);
      expect(formatWaterfall(taken.calls)[0]).toContain('GetItem [ledger] B ');
      expect(formatCalls(counter.take().counts)).toBe('none');
    } finally {
      await counter.close();
      upstream.server.close();
    }
  });
});
