import { inspect } from 'node:util';
import { GetParameterCommand, type GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import {
  AlpacaKeys,
  AlpacaKeysUnavailable,
  envKeyProvider,
  KeySourceSchema,
  keyProviderFor,
  keySourceOf,
  ssmKeyProvider,
} from '../src';

describe('Alpaca keys', () => {
  it('never prints its values through JSON, inspect or string conversion', () => {
    const keys = new AlpacaKeys('PKID123', 'SECRET456');
    const printed = [JSON.stringify({ keys }), inspect(keys), `${keys}`, inspect({ nested: { keys } })].join(
      ' ',
    );
    expect(printed).not.toMatch(/PKID123|SECRET456/);
    expect(keys.headers()).toEqual({ 'apca-api-key-id': 'PKID123', 'apca-api-secret-key': 'SECRET456' });
  });

  it('reads ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY from the given environment', async () => {
    const keys = await envKeyProvider({ ALPACA_API_KEY_ID: 'a', ALPACA_API_SECRET_KEY: 'b' }).keys();
    expect(keys.headers()['apca-api-key-id']).toBe('a');
  });

  it('names the missing variables, and only their names', async () => {
    await expect(envKeyProvider({ ALPACA_API_KEY_ID: 'present-id' }).keys()).rejects.toThrow(
      /^Alpaca API keys missing from the environment: ALPACA_API_SECRET_KEY$/,
    );
  });

  it('reads SecureString parameters under a prefix from SSM with decryption, once', async () => {
    const asked: { name: string | undefined; decrypt: boolean | undefined }[] = [];
    const client = {
      send: async (command: GetParameterCommand): Promise<GetParameterCommandOutput> => {
        asked.push({ name: command.input.Name, decrypt: command.input.WithDecryption });
        return { $metadata: {}, Parameter: { Value: `value-of-${command.input.Name}` } };
      },
    };
    const provider = ssmKeyProvider(client, '/books/prod/alpaca', GetParameterCommand);
    const keys = await provider.keys();
    await provider.keys();
    expect(keys.headers()).toEqual({
      'apca-api-key-id': 'value-of-/books/prod/alpaca/api-key-id',
      'apca-api-secret-key': 'value-of-/books/prod/alpaca/api-secret-key',
    });
    expect(asked).toEqual([
      { name: '/books/prod/alpaca/api-key-id', decrypt: true },
      { name: '/books/prod/alpaca/api-secret-key', decrypt: true },
    ]);
  });

  it('reports an unreadable SSM parameter by name and tries again next time', async () => {
    let calls = 0;
    const client = {
      send: async (): Promise<GetParameterCommandOutput> => {
        calls++;
        if (calls <= 2) throw new Error('AccessDenied');
        return { $metadata: {}, Parameter: { Value: 'v' } };
      },
    };
    const provider = ssmKeyProvider(client, '/p', GetParameterCommand);
    await expect(provider.keys()).rejects.toThrow(/cannot read SSM parameter \/p\/api-/);
    await expect(provider.keys()).resolves.toBeInstanceOf(AlpacaKeys);
  });
});

describe('keyProviderFor', () => {
  it('reads the environment it is given when the configuration says env', async () => {
    const provider = keyProviderFor(KeySourceSchema.parse(undefined), {
      env: { ALPACA_API_KEY_ID: 'id', ALPACA_API_SECRET_KEY: 'secret' },
    });
    expect((await provider.keys()).headers()['apca-api-key-id']).toBe('id');
  });

  it('reads SSM under the configured prefix when the configuration says ssm', async () => {
    const names: (string | undefined)[] = [];
    const ssm = {
      send: async (command: GetParameterCommand): Promise<GetParameterCommandOutput> => {
        names.push(command.input.Name);
        return { $metadata: {}, Parameter: { Value: 'v' } };
      },
    };
    await keyProviderFor(keySourceOf('/books/dev/alpaca'), {
      env: {},
      ssm: { client: ssm, GetParameterCommand },
    }).keys();
    expect(names).toEqual(['/books/dev/alpaca/api-key-id', '/books/dev/alpaca/api-secret-key']);
  });
});

describe('keySourceOf', () => {
  it('reads SSM when a prefix is set and the environment when it is not', () => {
    expect(keySourceOf('/strategy-books/dev/alpaca')).toEqual({
      source: 'ssm',
      prefix: '/strategy-books/dev/alpaca',
    });
    expect(keySourceOf(undefined)).toEqual({ source: 'env' });
    expect(keySourceOf('')).toEqual({ source: 'env' });
  });

  it('rejects an SSM source without a prefix, and a prefix that is not a parameter path', () => {
    expect(() => KeySourceSchema.parse({ source: 'ssm' })).toThrow();
    expect(() => keySourceOf('strategy-books/dev/alpaca/')).toThrow();
  });

  it('reports missing keys as AlpacaKeysUnavailable', async () => {
    await expect(envKeyProvider({}).keys()).rejects.toBeInstanceOf(AlpacaKeysUnavailable);
  });
});
