import { ManualClock } from '@books/core';
import { FakeAlpacaServer } from '@books/testkit';
import { AlpacaBroker, AlpacaKeys, parseAlpacaConfig } from '../../src';
import { describeBrokerContract } from '../support/broker-contract';
import { capturingLogger } from '../support/logs';
import { CONTRACT_NOW, CONTRACT_WORLD } from '../support/world';

describeBrokerContract('Alpaca adapter against the local Alpaca server', async () => {
  const clock = new ManualClock(CONTRACT_NOW);
  const server = await FakeAlpacaServer.start({
    world: CONTRACT_WORLD,
    clock,
    keyId: 'PKTEST',
    secretKey: 'SECRET',
  });
  const config = parseAlpacaConfig({ tradingUrl: server.url, dataUrl: server.url, timeoutMs: 2_000 });
  const broker = new AlpacaBroker(config, {
    keys: { keys: async () => new AlpacaKeys('PKTEST', 'SECRET') },
    clock,
    logger: capturingLogger('warn').logger,
    sleep: async () => {},
    random: () => 0.5,
  });
  return { broker, close: () => server.close() };
});
