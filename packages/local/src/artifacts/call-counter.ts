import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback proxy in front of one embedded server (DynamoDB Local, the SQS server) that counts
 * the AWS operations sent through it, by their `X-Amz-Target` (`DynamoDB_20120810.GetItem` counts
 * as `GetItem`), else by method and path. For benchmarks: which calls a cold invocation makes.
 */
export interface CallCounter {
  /** Point the functions here instead of at the server. */
  readonly url: string;
  /** The operations counted since the last `take`, by name, and starts counting afresh. */
  take(): ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export async function startCallCounter(target: string): Promise<CallCounter> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let counts = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    const header = req.headers['x-amz-target'];
    const operation =
      typeof header === 'string' ? (header.split('.').pop() ?? header) : `${req.method} ${req.url}`;
    const name = `${operation}${tablesOf(body.toString('utf8'))}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    forward.end(body);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    take() {
      const taken = counts;
      counts = new Map();
      return taken;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((closed) => server.close(() => closed()));
      agent.destroy();
    },
  };
}

/** `GetItem 12, Query 3` (most first), or `none`. */
export function formatCalls(counts: ReadonlyMap<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return 'none';
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${n}`);
  return `${total} (${parts.join(', ')})`;
}

/** ` [ledger]`: the tables a DynamoDB request names, their stage prefix dropped; empty for others. */
function tablesOf(body: string): string {
  const names = new Set<string>();
  for (const m of body.matchAll(/"TableName":"([^"]+)"/g)) names.add(m[1] ?? '');
  const items = /"RequestItems":\{"([^"]+)"/.exec(body);
  if (items?.[1]) names.add(items[1]);
  if (names.size === 0) return '';
  return ` [${[...names].map((n) => n.replace(/^strategy-books-[^-]+-/, '')).join(',')}]`;
}
