import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS operation as the proxy saw it: when it was sent and how long the answer took. */
export interface CountedCall {
  /** `GetItem [ledger]`: the operation and the tables it names. */
  readonly name: string;
  /** `PLAN`, `INTENT,LOCK`: the kinds of ledger item it keys (empty when none). */
  readonly items: string;
  /** Milliseconds since the last `take`, when the request arrived. */
  readonly atMs: number;
  /** Milliseconds from the request's arrival to the end of its answer. */
  readonly tookMs: number;
}

/** The operations counted since the last `take`. */
export interface CountedCalls {
  /** By name (`GetItem [ledger]`). */
  readonly counts: ReadonlyMap<string, number>;
  /** In the order they arrived. */
  readonly calls: readonly CountedCall[];
}

/**
 * A loopback proxy in front of one embedded server (DynamoDB Local, the SQS server) that counts
 * the AWS operations sent through it, by their `X-Amz-Target` (`DynamoDB_20120810.GetItem` counts
 * as `GetItem`), else by method and path, and times each. For benchmarks: which calls a cold
 * invocation makes, and which of them wait for another.
 */
export interface CallCounter {
  /** Point the functions here instead of at the server. */
  readonly url: string;
  /** The operations counted since the last `take`, and starts counting afresh. */
  take(): CountedCalls;
  close(): Promise<void>;
}

export async function startCallCounter(target: string): Promise<CallCounter> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let since = performance.now();
  let calls: CountedCall[] = [];
  const server: Server = createServer(async (req, res) => {
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    const header = req.headers['x-amz-target'];
    const operation =
      typeof header === 'string' ? (header.split('.').pop() ?? header) : `${req.method} ${req.url}`;
    const text = body.toString('utf8');
    const name = `${operation}${tablesOf(text)}`;
    const items = itemKindsOf(text);
    const into = calls;
    const origin = since;
    res.on('finish', () =>
      into.push({ name, items, atMs: arrived - origin, tookMs: performance.now() - arrived }),
    );
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
      const taken = [...calls].sort((a, b) => a.atMs - b.atMs);
      calls = [];
      since = performance.now();
      const counts = new Map<string, number>();
      for (const c of taken) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
      return { counts, calls: taken };
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

/**
 * The calls as a waterfall, one line each in the order they were sent: when (ms after the
 * invocation began), how long, and a bar on a 2 ms grid, so calls that waited for one another
 * show as steps and concurrent ones side by side.
 */
export function formatWaterfall(calls: readonly CountedCall[]): string[] {
  return calls.map((c) => {
    const start = Math.round(c.atMs / 2);
    const bar = `${' '.repeat(start)}${'█'.repeat(Math.max(1, Math.round(c.tookMs / 2)))}`;
    const call = `${c.name} ${c.items}`.trimEnd();
    return `  ${c.atMs.toFixed(0).padStart(5)} ms ${c.tookMs.toFixed(1).padStart(6)} ms  ${call.padEnd(48)} ${bar}`;
  });
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

/**
 * `INTENT,LOCK`: the kinds of ledger item a DynamoDB request keys (each key's sort-key prefix, or
 * for a query its partition's kind), in the order named; empty when it names none.
 */
function itemKindsOf(body: string): string {
  const kinds = new Set<string>();
  for (const m of body.matchAll(/"(PK|SK|:\w+)":\{"S":"([^"]*)"\}/g)) {
    const [, attribute, value = ''] = m;
    if (attribute === 'PK' && body.includes('"SK":')) continue;
    // An expression's value is a key only when it looks like one (`RUN#…`), not a state (`NEW`).
    if (attribute?.startsWith(':') && !value.includes('#')) continue;
    const segments = value.split('#');
    // STRATEGY#<id>#BOOK, RUN#<id>: the partition's kind; INTENT#<id>, CASH: the item's.
    const kind = segments[0] === 'STRATEGY' && segments.length > 2 ? segments[2] : segments[0];
    if (kind && /^[A-Z_]+$/.test(kind)) kinds.add(kind);
  }
  return [...kinds].slice(0, 4).join(',');
}
