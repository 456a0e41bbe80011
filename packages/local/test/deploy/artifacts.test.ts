import { join } from 'node:path';
import { z } from 'zod';
import { packageStage } from './packaged';
import { zipEntries } from './zip-entries';

/** The functions that read the stage's strategy config at run time (BOOKS_STRATEGIES_DIR). */
const READ_CONFIG = ['coordinator', 'strategyWorker', 'legacy', 'reconciler'];

describe('the packaged function artifacts', () => {
  jest.setTimeout(180_000);

  it.each(['prod', 'dev'])(
    'ships config.%s.json and its strategy files with every function that reads them',
    async (stage) => {
      const { dir } = await packageStage(stage);
      for (const fn of READ_CONFIG) {
        const names = zipEntries(join(dir, `${fn}.zip`)).map((e) => e.name);
        const config = zipEntries(join(dir, `${fn}.zip`)).find(
          (e) => e.name === `strategies/config.${stage}.json`,
        );
        expect({ fn, config: config !== undefined }).toEqual({ fn, config: true });
        const files = z
          .object({ strategies: z.array(z.object({ file: z.string() })) })
          .parse(JSON.parse(config?.data.toString('utf8') ?? '{}'))
          .strategies.map((s) => `strategies/${s.file}`);
        expect({ fn, missing: files.filter((f) => !names.includes(f)) }).toEqual({ fn, missing: [] });
      }
    },
  );
});
