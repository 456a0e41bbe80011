import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { zipEntries } from '../../src/artifacts/unzip';
import { packageStage, REPO_ROOT } from './packaged';

/**
 * Every secret comes from SSM at run time: packaging from a shell that holds Alpaca keys puts them
 * in no artifact (zips, templates, the serverless state) and in nothing under .serverless/.
 */
const DUMMY_KEYS = { ALPACA_API_KEY_ID: 'AKDUMMYSECRET123', ALPACA_API_SECRET_KEY: 'dummySecretKeyValue987' };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Each file's text, a zip's as each of its entries. */
function contents(path: string): { where: string; text: string }[] {
  if (path.endsWith('.zip'))
    return zipEntries(path).map((e) => ({ where: `${path}:${e.name}`, text: e.data.toString('latin1') }));
  return [{ where: path, text: readFileSync(path).toString('latin1') }];
}

describe('secrets in the deployed artifacts', () => {
  jest.setTimeout(180_000);

  it('packages no Alpaca key the deploying shell holds', async () => {
    const { dir } = await packageStage('prod', DUMMY_KEYS);
    const files = filesUnder(dir);
    expect(files.filter((f) => f.endsWith('.zip')).length).toBeGreaterThan(0);
    const stateDir = join(REPO_ROOT, '.serverless');
    const serverlessState = (() => {
      try {
        return filesUnder(stateDir);
      } catch {
        return [];
      }
    })();
    const leaks = [...files, ...serverlessState]
      .flatMap(contents)
      .filter(({ text }) => Object.values(DUMMY_KEYS).some((secret) => text.includes(secret)))
      .map(({ where }) => where);
    expect(leaks).toEqual([]);
  });

  it("gives every function the SSM prefix of the stage's keys and no key variable", async () => {
    const { template } = await packageStage('prod', DUMMY_KEYS);
    const functions = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function',
    );
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, resource] of functions) {
      const text = JSON.stringify(resource.Properties?.Environment ?? {});
      expect({
        id,
        ssm: text.includes('"BOOKS_ALPACA_KEY_SSM_PREFIX":"/strategy-books/prod/alpaca"'),
      }).toEqual({
        id,
        ssm: true,
      });
      expect({ id, keys: /ALPACA_API_(KEY_ID|SECRET_KEY)/.test(text) }).toEqual({ id, keys: false });
    }
  });
});
