import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '@books/core';
import { FakeActivities } from './fake-activities';
import { FakeAlpacaState, type FakeReply, type FakeWorld } from './fake-alpaca-state';
import { invalidFeed, LATEST_FEEDS } from './fake-market-data';
import { AlpacaContract } from './openapi-contract';
import { type FakeRateLimit, RateLimitCounter, type RateLimitFigures } from './rate-limit-counter';

/** Route names: method and path pattern, e.g. "POST /v2/orders", "GET /v2/orders/{id}". */
export type FakeRoute =
  | 'GET /v2/account'
  | 'GET /v2/positions'
  | 'GET /v2/clock'
  | 'GET /v2/calendar'
  | 'GET /v2/assets/{symbol}'
  | 'POST /v2/orders'
  | 'GET /v2/orders'
  | 'GET /v2/orders/{id}'
  | 'DELETE /v2/orders/{id}'
  | 'PATCH /v2/orders/{id}'
  | 'GET /v2/orders:by_client_order_id'
  | 'GET /v2/stocks/trades/latest'
  | 'GET /v2/account/activities';

/** What the next `count` requests to `route` get instead of (or on top of) the normal answer. */
export type FakeFault = { readonly route: FakeRoute; readonly count?: number } & (
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  /** 429 with X-RateLimit-* headers (no Reset when `resetEpochSeconds` is null); Retry-After when given. */
  | {
      readonly kind: 'rate-limit';
      readonly resetEpochSeconds?: number | null;
      readonly retryAfterSeconds?: number;
    }
  /** No answer at all; the request is not acted on. The client times out. */
  | { readonly kind: 'hang' }
  /** The request is acted on (an order is accepted), then no answer: the client times out. */
  | { readonly kind: 'accept-then-hang' }
  /** The request is acted on, then the connection is dropped without an answer. */
  | { readonly kind: 'accept-then-drop' }
  /** The request is acted on, then this answer instead of the real one (e.g. a 200 whose body is cut off). */
  | { readonly kind: 'accept-then-reply'; readonly status: number; readonly body: string }
);

export interface RecordedRequest {
  readonly method: string;
  readonly route: FakeRoute | 'unknown';
  readonly path: string;
  /** The User-Agent, which names the calling function. */
  readonly caller?: string;
}

export interface FakeAlpacaOptions {
  readonly world: FakeWorld;
  readonly clock: Clock;
  readonly keyId: string;
  readonly secretKey: string;
  /** Count requests per minute and per caller, and answer 429 past the limit, as Alpaca does. */
  readonly rateLimit?: FakeRateLimit;
  /**
   * Alpaca's OpenAPI documents: every request received and every answer of the fake's own (not
   * an injected fault's) is checked against them, and `close()` throws on any violation. Loaded
   * from `../shared/alpaca-openapi` by default; `null` turns the check off (when absent, it is off).
   */
  readonly contract?: AlpacaContract | null;
  /**
   * The fake's time moves on by this much at every request it receives (on top of `clock`), so a
   * scripted order lifecycle unfolds while a client polls, whatever the test's clock does.
   */
  readonly msPerRequest?: number;
}

/** The documents, read once per process. */
let sharedContract: AlpacaContract | undefined | null = null;
function defaultContract(): AlpacaContract | undefined {
  if (sharedContract === null) {
    sharedContract = AlpacaContract.load();
    sharedContract?.prepare(SPEC_OPERATIONS);
  }
  return sharedContract;
}

/** The spec's operations the fake serves. */
const SPEC_OPERATIONS = [
  'GET /v2/account',
  'GET /v2/positions',
  'GET /v2/clock',
  'GET /v2/calendar',
  'GET /v2/assets/{symbol_or_asset_id}',
  'POST /v2/orders',
  'GET /v2/orders',
  'GET /v2/orders/{order_id}',
  'DELETE /v2/orders/{order_id}',
  'PATCH /v2/orders/{order_id}',
  'GET /v2/orders:by_client_order_id',
  'GET /v2/stocks/trades/latest',
];

/**
 * A local HTTP server (127.0.0.1, random port) that speaks the Alpaca Trading API v2 and the
 * latest-trades endpoint of Market Data v2 over an in-memory account, with scriptable faults.
 * Use `url` as both the trading and the data base URL.
 */
export class FakeAlpacaServer {
  readonly requests: RecordedRequest[] = [];
  readonly state: FakeAlpacaState;
  /** Every way a request or an answer of the fake strayed from Alpaca's OpenAPI documents. */
  readonly contractViolations: string[] = [];
  /** The account's activities (dividends, splits, cash movements) a test adds. */
  readonly activities = new FakeActivities();
  private readonly faults: { fault: FakeFault; remaining: number }[] = [];
  private rateLimit: RateLimitCounter | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    state: FakeAlpacaState,
  ) {
    this.state = state;
  }

  static async start(options: FakeAlpacaOptions): Promise<FakeAlpacaServer> {
    if (options.contract === undefined) defaultContract();
    const state = new FakeAlpacaState(options.world, options.clock);
    let instance: FakeAlpacaServer | undefined;
    const server = createServer((req, res) => {
      if (instance) void instance.handle(req, res, options);
      else res.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new FakeAlpacaServer(server, `http://127.0.0.1:${port}`, state);
    if (options.rateLimit) instance.rateLimit = new RateLimitCounter(options.rateLimit, options.clock);
    return instance;
  }

  inject(fault: FakeFault): void {
    this.faults.push({ fault, remaining: fault.count ?? 1 });
  }

  /** How many requests reached `route`, faulted ones included. */
  count(route: FakeRoute): number {
    return this.requests.filter((r) => r.route === route).length;
  }

  /** Requests per minute window and per caller, when started with `rateLimit`. */
  rateLimitFigures(): RateLimitFigures | undefined {
    return this.rateLimit?.figures();
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
        `the fake Alpaca saw ${this.contractViolations.length} exchange(s) outside Alpaca's OpenAPI documents:\n${this.contractViolations.join('\n')}`,
      );
  }

  private async handle(req: IncomingMessage, res: ServerResponse, options: FakeAlpacaOptions): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = routeOf(method, url.pathname);
    const caller = req.headers['user-agent'];
    this.requests.push({
      method,
      route,
      path: `${url.pathname}${url.search}`,
      ...(caller ? { caller } : {}),
    });
    if (options.msPerRequest) this.state.tick(options.msPerRequest);
    const raw = await readBody(req);
    const contract = options.contract === undefined ? defaultContract() : (options.contract ?? undefined);
    if (contract) this.checkRequest(contract, method, `${url.pathname}${url.search}`, raw);
    const respond = (reply: FakeReply): void => {
      if (contract)
        this.contractViolations.push(
          ...contract.checkResponse(method, `${url.pathname}${url.search}`, reply.status, reply.body),
        );
      send(res, reply);
    };

    if (
      req.headers['apca-api-key-id'] !== options.keyId ||
      req.headers['apca-api-secret-key'] !== options.secretKey
    ) {
      return send(res, {
        status: 401,
        body: JSON.stringify({ code: 40110000, message: 'request is not authorized' }),
      });
    }

    const limited = this.rateLimit?.admit(caller);
    if (limited && !limited.admitted)
      return send(res, {
        status: 429,
        headers: limited.headers,
        body: '{"code":42910000,"message":"rate limit exceeded"}',
      });

    const slot = this.faults.find((f) => f.remaining > 0 && f.fault.route === route);
    if (slot) {
      slot.remaining--;
      const fault = slot.fault;
      switch (fault.kind) {
        case 'status':
          return send(res, {
            status: fault.status,
            body: fault.body ?? '{"message":"internal server error"}',
          });
        case 'rate-limit': {
          const headers: Record<string, string> = {
            'X-RateLimit-Limit': '200',
            'X-RateLimit-Remaining': '0',
          };
          if (fault.resetEpochSeconds !== null)
            headers['X-RateLimit-Reset'] = String(
              fault.resetEpochSeconds ?? Math.ceil(options.clock.now().getTime() / 1000) + 60,
            );
          if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
          return send(res, {
            status: 429,
            headers,
            body: '{"code":42910000,"message":"rate limit exceeded"}',
          });
        }
        case 'hang':
          return;
        case 'accept-then-hang':
          this.answer(route, url, raw);
          return;
        case 'accept-then-drop':
          this.answer(route, url, raw);
          res.socket?.destroy();
          return;
        case 'accept-then-reply':
          this.answer(route, url, raw);
          return send(res, { status: fault.status, body: fault.body });
      }
    }
    const reply = this.answer(route, url, raw);
    respond(limited ? { ...reply, headers: { ...limited.headers, ...reply.headers } } : reply);
  }

  private checkRequest(contract: AlpacaContract, method: string, pathAndQuery: string, raw: string): void {
    let body: unknown;
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        this.contractViolations.push(`${method} ${pathAndQuery}: the request body is not JSON`);
        return;
      }
    }
    this.contractViolations.push(
      ...contract.checkRequest({ method, url: pathAndQuery, ...(body === undefined ? {} : { body }) }),
    );
  }

  private answer(route: FakeRoute | 'unknown', url: URL, raw: string): FakeReply {
    const s = this.state;
    // Every scripted step due by now happens before the request is answered.
    s.advance();
    const last = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    switch (route) {
      case 'GET /v2/account':
        return s.account();
      case 'GET /v2/positions':
        return s.positionsReply();
      case 'GET /v2/clock':
        return s.clockReply();
      case 'GET /v2/calendar':
        return s.calendarReply(url.searchParams.get('start'), url.searchParams.get('end'));
      case 'GET /v2/assets/{symbol}':
        return s.assetReply(last);
      case 'POST /v2/orders': {
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          return { status: 400, body: '{"code":40010000,"message":"request body format is invalid"}' };
        }
        return s.placeOrder(body);
      }
      case 'GET /v2/orders':
        return url.searchParams.get('status') === 'open'
          ? s.openOrders()
          : { status: 422, body: '{"code":40010001,"message":"the fake serves status=open only"}' };
      case 'GET /v2/orders/{id}':
        return s.orderById(last);
      case 'DELETE /v2/orders/{id}':
        return s.cancel(last);
      case 'PATCH /v2/orders/{id}': {
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          return { status: 400, body: '{"code":40010000,"message":"request body format is invalid"}' };
        }
        return s.replaceOrder(last, body);
      }
      case 'GET /v2/orders:by_client_order_id':
        return s.orderByClientId(url.searchParams.get('client_order_id') ?? '');
      case 'GET /v2/stocks/trades/latest': {
        const badFeed = invalidFeed(url.searchParams, LATEST_FEEDS);
        if (badFeed !== undefined) return { status: 400, body: badFeed };
        return s.latestTradesReply(
          (url.searchParams.get('symbols') ?? '').split(',').filter((x) => x !== ''),
        );
      }
      case 'GET /v2/account/activities':
        return this.activities.reply(url.searchParams);
      case 'unknown':
        return { status: 404, body: '{"code":40410000,"message":"endpoint not found"}' };
    }
  }
}

function routeOf(method: string, path: string): FakeRoute | 'unknown' {
  const exact: Record<string, FakeRoute> = {
    'GET /v2/account': 'GET /v2/account',
    'GET /v2/positions': 'GET /v2/positions',
    'GET /v2/clock': 'GET /v2/clock',
    'GET /v2/calendar': 'GET /v2/calendar',
    'POST /v2/orders': 'POST /v2/orders',
    'GET /v2/orders': 'GET /v2/orders',
    'GET /v2/orders:by_client_order_id': 'GET /v2/orders:by_client_order_id',
    'GET /v2/stocks/trades/latest': 'GET /v2/stocks/trades/latest',
    'GET /v2/account/activities': 'GET /v2/account/activities',
  };
  const key = `${method} ${path}`;
  const hit = exact[key];
  if (hit) return hit;
  if (method === 'GET' && /^\/v2\/assets\/[^/]+$/.test(path)) return 'GET /v2/assets/{symbol}';
  if (method === 'GET' && /^\/v2\/orders\/[^/]+$/.test(path)) return 'GET /v2/orders/{id}';
  if (method === 'DELETE' && /^\/v2\/orders\/[^/]+$/.test(path)) return 'DELETE /v2/orders/{id}';
  if (method === 'PATCH' && /^\/v2\/orders\/[^/]+$/.test(path)) return 'PATCH /v2/orders/{id}';
  return 'unknown';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: FakeReply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
  res.end(reply.body);
}
