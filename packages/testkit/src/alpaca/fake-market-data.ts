import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, marketTimeToInstant } from '@books/core';
import { AlpacaContract } from './openapi-contract';

/**
 * One daily bar as the fake serves it. Every field is JSON text inserted verbatim, so a test can
 * serve exact decimals (`c: '471.33'`) or a malformed value (`c: '"abc"'`, `c: 'null'`).
 */
export interface FakeDailyBar {
  readonly t: string;
  readonly o: string;
  readonly h: string;
  readonly l: string;
  readonly c: string;
  readonly v: string;
}

/** A daily bar stamped at midnight New York time, as Alpaca stamps them (05:00Z in winter, 04:00Z in summer). */
export function fakeDailyBar(date: string, close: string, extra: Partial<FakeDailyBar> = {}): FakeDailyBar {
  return {
    t: JSON.stringify(marketTimeToInstant(date, '00:00').toISOString().replace('.000Z', 'Z')),
    o: close,
    h: close,
    l: close,
    c: close,
    v: '1000',
    ...extra,
  };
}

/** `feed` values each endpoint accepts (Alpaca's stock_historical_feed and stock_latest_feed). */
export const HISTORICAL_FEEDS: readonly string[] = ['iex', 'otc', 'sip', 'boats'];
export const LATEST_FEEDS: readonly string[] = ['delayed_sip', 'iex', 'otc', 'sip', 'boats', 'overnight'];

/** Alpaca's 400 for a `feed` the endpoint does not accept; an absent feed takes the default. */
export function invalidFeed(query: URLSearchParams, accepted: readonly string[]): string | undefined {
  const feed = query.get('feed');
  return feed === null || accepted.includes(feed) ? undefined : `{"message":"invalid feed: ${feed}"}`;
}

export type FakeMarketDataRoute = 'GET /v2/stocks/bars' | 'GET /v2/stocks/trades/latest';

export type FakeMarketDataFault = { readonly route: FakeMarketDataRoute; readonly count?: number } & (
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  /** 429 with X-RateLimit-* headers; Reset defaults to one minute from the clock's now. */
  | { readonly kind: 'rate-limit'; readonly resetEpochSeconds?: number; readonly retryAfterSeconds?: number }
  /** 200 with this exact body. */
  | { readonly kind: 'body'; readonly body: string }
);

export interface FakeMarketDataRequest {
  readonly route: FakeMarketDataRoute | 'unknown';
  readonly query: URLSearchParams;
}

export interface FakeMarketDataOptions {
  readonly clock: Clock;
  readonly keyId: string;
  readonly secretKey: string;
  /** As FakeAlpacaOptions.contract: requests and the fake's own answers are checked; `close()` throws. */
  readonly contract?: AlpacaContract | null;
}

let sharedContract: AlpacaContract | undefined | null = null;
function defaultContract(): AlpacaContract | undefined {
  if (sharedContract === null) {
    sharedContract = AlpacaContract.load();
    sharedContract?.prepare(['GET /v2/stocks/bars', 'GET /v2/stocks/trades/latest']);
  }
  return sharedContract;
}

/**
 * A local HTTP server (127.0.0.1, random port) that speaks the two Market Data v2 endpoints the
 * bars client uses: `/v2/stocks/bars` (multi-symbol, `1Day`, `start`/`end` dates inclusive, bars
 * ordered by symbol then time, `limit` counted across symbols, `next_page_token` paging) and
 * `/v2/stocks/trades/latest`. Symbols are Alpaca's (`BRK.B`). Faults are scriptable per route.
 */
export class FakeMarketDataServer {
  readonly requests: FakeMarketDataRequest[] = [];
  /** Alpaca symbol → its bars, ascending; tests may replace entries between requests. */
  readonly bars = new Map<string, FakeDailyBar[]>();
  /** Alpaca symbol → latest trade price (JSON number text) and ISO time. */
  readonly trades = new Map<string, { readonly p: string; readonly t: string }>();
  /** Every way a request or an answer of the fake strayed from Alpaca's OpenAPI documents. */
  readonly contractViolations: string[] = [];
  private readonly faults: { fault: FakeMarketDataFault; remaining: number }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: FakeMarketDataOptions): Promise<FakeMarketDataServer> {
    if (options.contract === undefined) defaultContract();
    let instance: FakeMarketDataServer | undefined;
    const server = createServer((req, res) => {
      if (instance) send(res, instance.checked(req, options));
      else res.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the fake did not bind a port');
    instance = new FakeMarketDataServer(server, `http://127.0.0.1:${(address satisfies AddressInfo).port}`);
    return instance;
  }

  inject(fault: FakeMarketDataFault): void {
    this.faults.push({ fault, remaining: fault.count ?? 1 });
  }

  count(route: FakeMarketDataRoute): number {
    return this.requests.filter((r) => r.route === route).length;
  }

  /**
   * The violations seen so far, which are then forgotten: for a test that serves or sends
   * something off-contract on purpose (and can assert that the check saw it).
   */
  takeContractViolations(): string[] {
    return this.contractViolations.splice(0);
  }

  /** Stops the server; throws when any exchange broke the OpenAPI contract. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
    if (this.contractViolations.length > 0)
      throw new Error(
        `the fake market data saw ${this.contractViolations.length} exchange(s) outside Alpaca's OpenAPI documents:\n${this.contractViolations.join('\n')}`,
      );
  }

  /** The answer, with the request and the fake's own answer (not an injected fault's) checked. */
  private checked(req: IncomingMessage, options: FakeMarketDataOptions): Reply {
    const contract = options.contract === undefined ? defaultContract() : (options.contract ?? undefined);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    if (contract) this.contractViolations.push(...contract.checkRequest({ method, url }));
    const faulted = this.faults.some(
      (f) => f.remaining > 0 && `${method} ${new URL(url, 'http://fake').pathname}` === f.fault.route,
    );
    const r = this.answer(req, options);
    if (contract && !faulted)
      this.contractViolations.push(...contract.checkResponse(method, url, r.status, r.body));
    return r;
  }

  private answer(req: IncomingMessage, options: FakeMarketDataOptions): Reply {
    const url = new URL(req.url ?? '/', 'http://fake');
    const key = `${req.method ?? 'GET'} ${url.pathname}`;
    const route: FakeMarketDataRoute | 'unknown' =
      key === 'GET /v2/stocks/bars' || key === 'GET /v2/stocks/trades/latest' ? key : 'unknown';
    this.requests.push({ route, query: url.searchParams });

    if (
      req.headers['apca-api-key-id'] !== options.keyId ||
      req.headers['apca-api-secret-key'] !== options.secretKey
    )
      return reply(401, '{"code":40110000,"message":"request is not authorized"}');

    const slot = this.faults.find((f) => f.remaining > 0 && f.fault.route === route);
    if (slot) {
      slot.remaining--;
      const fault = slot.fault;
      switch (fault.kind) {
        case 'status':
          return reply(fault.status, fault.body ?? '{"message":"internal server error"}');
        case 'body':
          return reply(200, fault.body);
        case 'rate-limit': {
          const headers: Record<string, string> = {
            'X-RateLimit-Limit': '200',
            'X-RateLimit-Remaining': '0',
            'X-RateLimit-Reset': String(
              fault.resetEpochSeconds ?? Math.ceil(options.clock.now().getTime() / 1000) + 60,
            ),
          };
          if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
          return reply(429, '{"code":42910000,"message":"rate limit exceeded"}', headers);
        }
      }
    }
    if (route === 'GET /v2/stocks/bars') return this.barsReply(url.searchParams);
    if (route === 'GET /v2/stocks/trades/latest') return this.tradesReply(url.searchParams);
    return reply(404, '{"code":40410000,"message":"endpoint not found"}');
  }

  private barsReply(q: URLSearchParams): Reply {
    const badFeed = invalidFeed(q, HISTORICAL_FEEDS);
    if (badFeed !== undefined) return reply(400, badFeed);
    const symbols = (q.get('symbols') ?? '').split(',').filter((s) => s !== '');
    const limit = Number(q.get('limit') ?? '1000');
    const start = q.get('start') ?? '0000-00-00';
    const end = q.get('end') ?? '9999-99-99';
    if (symbols.length === 0 || q.get('timeframe') !== '1Day' || !(limit >= 1 && limit <= 10_000))
      return reply(422, '{"code":42210000,"message":"invalid symbols, timeframe or limit"}');
    const all = [...symbols].sort().flatMap((s) =>
      (this.bars.get(s) ?? [])
        .filter((b) => {
          // The UTC date of a midnight-New-York stamp is its New York date; garbage stays filterable.
          const date = String(JSON.parse(b.t)).slice(0, 10);
          return date >= start && date <= end;
        })
        .map((b) => ({ symbol: s, bar: b })),
    );
    const token = q.get('page_token');
    const offset = token === null ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64') : null;
    const bySymbol = new Map<string, string[]>();
    for (const { symbol, bar } of page) {
      const list = bySymbol.get(symbol) ?? [];
      list.push(
        `{"t":${bar.t},"o":${bar.o},"h":${bar.h},"l":${bar.l},"c":${bar.c},"v":${bar.v},"n":42,"vw":${bar.c}}`,
      );
      bySymbol.set(symbol, list);
    }
    const body = [...bySymbol].map(([s, list]) => `${JSON.stringify(s)}:[${list.join(',')}]`).join(',');
    return reply(200, `{"bars":{${body}},"next_page_token":${JSON.stringify(next)},"currency":"USD"}`);
  }

  private tradesReply(q: URLSearchParams): Reply {
    const badFeed = invalidFeed(q, LATEST_FEEDS);
    if (badFeed !== undefined) return reply(400, badFeed);
    const entries = (q.get('symbols') ?? '').split(',').flatMap((s) => {
      const trade = this.trades.get(s);
      return trade === undefined
        ? []
        : [
            `${JSON.stringify(s)}:{"t":${JSON.stringify(trade.t)},"x":"V","p":${trade.p},"s":100,"c":["@"],"i":1,"z":"A"}`,
          ];
    });
    return reply(200, `{"trades":{${entries.join(',')}}}`);
  }
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

function reply(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, body, headers };
}

function send(res: ServerResponse, r: Reply): void {
  res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
  res.end(r.body);
}
