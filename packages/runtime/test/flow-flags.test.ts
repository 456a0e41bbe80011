import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { StrategyId, ValidationError } from '@books/core';
import { type FakeSsmServer, startFakeSsm } from '@books/testkit';
import { createFlowFlags, FileFlowFlags, SsmFlowFlags } from '../src/flow-flags';

describe('flow flags in SSM (one parameter per strategy)', () => {
  let ssm: FakeSsmServer;
  let client: SSMClient;
  beforeAll(async () => {
    ssm = await startFakeSsm({ '/strategy-books/prod/alpaca/key-id': 'not-a-flag' });
    client = new SSMClient({
      region: 'us-east-1',
      endpoint: ssm.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await ssm.close();
  });

  it('reads every page of the prefix and writes one parameter per strategy', async () => {
    const flags = new SsmFlowFlags(client, '/strategy-books/prod/flows');
    for (let i = 0; i < 12; i++)
      await flags.set(StrategyId(`s${i}`), i % 2 === 0 ? 'legacy' : 'per-strategy');
    await flags.set(StrategyId('s0'), 'shadow');
    const read = await flags.read();
    expect(read.size).toBe(12);
    expect(read.get(StrategyId('s0'))).toBe('shadow');
    expect(read.get(StrategyId('s11'))).toBe('per-strategy');
    expect(ssm.parameters.get('/strategy-books/prod/flows/s1')).toBe('per-strategy');
  });

  it('names the parameter of a value that is not a flow instead of ignoring it', async () => {
    ssm.parameters.set('/strategy-books/bad/flows/momentum', 'per_strategy');
    const flags = createFlowFlags('ssm:/strategy-books/bad/flows/', client);
    await expect(flags.read()).rejects.toThrow(
      /\/strategy-books\/bad\/flows\/momentum: "per_strategy" is not a flow \(per-strategy, shadow, legacy\)/,
    );
  });
});

describe('flow flags in a local file', () => {
  it('starts empty, and keeps other strategies’ flags when one is set', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'flags-')), 'flows.local.json');
    const flags = new FileFlowFlags(path);
    expect((await flags.read()).size).toBe(0);
    await flags.set(StrategyId('momentum'), 'legacy');
    await flags.set(StrategyId('breakout'), 'shadow');
    expect(Object.fromEntries(await flags.read())).toEqual({ momentum: 'legacy', breakout: 'shadow' });
  });

  it('rejects a file that names a flow that does not exist', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'flags-')), 'flows.json');
    writeFileSync(path, JSON.stringify({ momentum: 'legacyy' }));
    await expect(new FileFlowFlags(path).read()).rejects.toThrow(ValidationError);
  });

  it('refuses an unknown store spec', () => {
    expect(() => createFlowFlags('dynamodb:flags', new SSMClient({}))).toThrow(/ssm:\/prefix or file:/);
  });
});
