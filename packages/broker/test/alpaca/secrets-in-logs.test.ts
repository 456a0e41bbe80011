import type { GetParameterCommandClass, SsmParameterClient } from '@books/alpaca';
import { ManualClock } from '@books/core';
import { FakeAlpacaServer } from '@books/testkit';
import { AlpacaBroker, parseAlpacaConfig, ssmKeyProvider } from '../../src';
import { capturingLogger } from '../support/logs';

type GetParameterCommand = Parameters<SsmParameterClient['send']>[0];
type GetParameterCommandOutput = Awaited<ReturnType<SsmParameterClient['send']>>;

import { CONTRACT_NOW, CONTRACT_WORLD, marketBuy } from '../support/world';

/** Stands in for the SDK's GetParameterCommand: the fake SSM client reads only the command's input. */
const GetParameter = class {
  constructor(readonly input: ConstructorParameters<GetParameterCommandClass>[0]) {}
} as unknown as GetParameterCommandClass;

// Shaped like real Alpaca keys; the secret holds characters that JSON escapes.
const KEY_ID = 'PKSECRETSCHECK000001';
const SECRET = 'sk/"never\\in-logs"+0123456789abcdefghijABCDEFGHIJ';

/** The forms in which a secret could appear in a JSON log line. */
function leaks(text: string): string[] {
  const forms = [KEY_ID, SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET)];
  return forms.filter((f) => text.includes(f));
}

describe('Alpaca keys from SSM never reach the logs', () => {
  it('keeps them out of every line written while requests fail in every way, errors logged as handlers do', async () => {
    const clock = new ManualClock(CONTRACT_NOW);
    const server = await FakeAlpacaServer.start({
      world: CONTRACT_WORLD,
      clock,
      keyId: KEY_ID,
      secretKey: SECRET,
    });
    const ssmOutputs: GetParameterCommandOutput[] = [];
    const ssm = {
      send: async (command: GetParameterCommand): Promise<GetParameterCommandOutput> => {
        const value = command.input.Name?.endsWith('/api-key-id') ? KEY_ID : SECRET;
        const out = {
          $metadata: {},
          Parameter: { Name: command.input.Name, Value: value },
        };
        ssmOutputs.push(out);
        return out;
      },
    };
    const log = capturingLogger('trace');
    const broker = new AlpacaBroker(
      parseAlpacaConfig({
        tradingUrl: server.url,
        dataUrl: server.url,
        timeoutMs: 200,
        maxIdempotentAttempts: 2,
      }),
      {
        keys: ssmKeyProvider(ssm, '/books/prod/alpaca', GetParameter),
        clock,
        logger: log.logger,
        sleep: async () => {},
        random: () => 0.5,
      },
    );
    try {
      // A proxy that echoes the request headers into its error bodies.
      const echo = `upstream error; request headers: APCA-API-KEY-ID: ${KEY_ID}, APCA-API-SECRET-KEY: ${SECRET}`;
      server.inject({ route: 'GET /v2/account', kind: 'status', status: 502, body: echo, count: 2 });
      server.inject({
        route: 'GET /v2/positions',
        kind: 'status',
        status: 403,
        body: JSON.stringify({ message: echo }),
      });
      server.inject({
        route: 'GET /v2/clock',
        kind: 'status',
        status: 200,
        body: JSON.stringify({ timestamp: echo }),
      });
      server.inject({ route: 'POST /v2/orders', kind: 'accept-then-hang' });
      server.inject({ route: 'GET /v2/orders', kind: 'hang', count: 2 });
      const calls: [string, () => Promise<unknown>][] = [
        ['account', () => broker.getAccount()],
        ['positions', () => broker.getPositions()],
        ['clock', () => broker.getClock()],
        ['order', () => broker.placeOrder(marketBuy('SPY', '1'))],
        ['open orders', () => broker.listOpenOrders()],
      ];
      const failures: string[] = [];
      for (const [name, call] of calls) {
        try {
          await call();
        } catch (err) {
          failures.push(name);
          log.logger.error({ err, event: 'broker-call-failed', call: name }, `${name} failed`);
        }
      }
      // Careless lines: the raw SSM answer, a request as an HTTP library would describe it.
      log.logger.debug({ ssm: ssmOutputs }, 'ssm answered');
      log.logger.debug(
        { request: { method: 'GET', headers: { 'APCA-API-KEY-ID': KEY_ID, 'APCA-API-SECRET-KEY': SECRET } } },
        'request sent',
      );

      const text = log.text();
      expect(failures).toEqual(['account', 'positions', 'clock', 'open orders']);
      // The lines are there and useful: endpoints and statuses, with the secrets censored.
      expect(text).toContain('GET /v2/account failed with HTTP 502');
      expect(text).toContain('[redacted]');
      expect(leaks(text)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
