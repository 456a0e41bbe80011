import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCloudFormationYaml } from '@books/local';
import * as z from 'zod';
import { StackOutputsSchema } from '../../src/stage/stack-outputs';

/** What a deployed stage is read from must be what `sls deploy` exports. */
describe("serverless.yml's stack outputs", () => {
  const serverless = z
    .object({ resources: z.object({ Outputs: z.record(z.string(), z.unknown()) }) })
    .parse(parseCloudFormationYaml(readFileSync(join(__dirname, '../../../../serverless.yml'), 'utf8')));

  it('declare every output an operator command reads from the stack', () => {
    const declared = Object.keys(serverless.resources.Outputs).sort();
    for (const name of Object.keys(StackOutputsSchema.shape)) expect(declared).toContain(name);
  });
});
