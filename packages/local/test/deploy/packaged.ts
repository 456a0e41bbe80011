import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';

export const REPO_ROOT = join(__dirname, '../../../..');

/** The CloudFormation template as `sls package` writes it: only the parts the deploy tests read. */
export const TemplateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() }).passthrough(),
  ),
  Conditions: z.record(z.string(), z.unknown()).optional(),
});
export type Template = z.infer<typeof TemplateSchema>;

export interface PackagedStage {
  readonly stage: string;
  /** The directory `sls package --package` wrote: the zips, the templates, serverless-state.json. */
  readonly dir: string;
  /** cloudformation-template-update-stack.json: what `sls deploy` gives CloudFormation. */
  readonly templatePath: string;
  readonly template: Template;
}

const packaged = new Map<string, Promise<PackagedStage>>();

/**
 * `pnpm exec sls package --stage <stage>` into a fresh directory, once per stage and environment
 * in this test process. Bundles go to their own work folder: packaging never races another
 * packaging (or `books dev`) over the repository's `.esbuild/`.
 */
export function packageStage(
  stage: string,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<PackagedStage> {
  const key = `${stage} ${JSON.stringify(extraEnv)}`;
  let pending = packaged.get(key);
  if (!pending) {
    pending = runPackage(stage, extraEnv);
    packaged.set(key, pending);
  }
  return pending;
}

async function runPackage(stage: string, extraEnv: Readonly<Record<string, string>>): Promise<PackagedStage> {
  const work = mkdtempSync(join(tmpdir(), `books-package-${stage}-`));
  const dir = join(work, 'out');
  await promisify(execFile)('pnpm', ['exec', 'sls', 'package', '--stage', stage, '--package', dir], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      BOOKS_ESBUILD_WORK_FOLDER: join(work, 'esbuild'),
      BOOKS_OFFLINE_WATCH: 'off',
      ...extraEnv,
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  const template = TemplateSchema.parse(JSON.parse(readFileSync(templatePath, 'utf8')));
  return { stage, dir, templatePath, template };
}
