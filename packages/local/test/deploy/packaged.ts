import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as z from 'zod';
import { withPackagingLock } from '../../src/artifacts/package-service';

export const REPO_ROOT = join(__dirname, '../../../..');

/** The CloudFormation template as `sls package` writes it: only the parts the deploy tests read. */
export const TemplateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() }).passthrough(),
  ),
  Conditions: z.record(z.string(), z.unknown()).optional(),
  Parameters: z.record(z.string(), z.object({ Default: z.unknown().optional() }).passthrough()).optional(),
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
 * `pnpm exec sls package --stage <stage>` into a fresh directory, once per stage, environment and
 * content of its inputs: test processes share the output (a directory under the system's temp
 * directory named by the inputs' hash, written once under a lock). Bundles go to their own work
 * folder: packaging never races another packaging (or `books dev`) over the repository's `.esbuild/`.
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

/** Every file a packaging reads from the repository (beside node_modules, pinned by the lockfile). */
function packagingInputs(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      if (name === 'node_modules' || name.startsWith('.')) return [];
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  const packages = readdirSync(join(REPO_ROOT, 'packages')).flatMap((pkg) => {
    const root = join(REPO_ROOT, 'packages', pkg);
    return [join(root, 'package.json'), ...(existsSync(join(root, 'src')) ? walk(join(root, 'src')) : [])];
  });
  const top = ['serverless.yml', 'package.json', 'pnpm-lock.yaml', 'tsconfig.json', 'tsconfig.base.json'];
  return [...top.map((f) => join(REPO_ROOT, f)), ...walk(join(REPO_ROOT, 'strategies')), ...packages]
    .filter((f) => existsSync(f))
    .sort();
}

function inputsHash(stage: string, extraEnv: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256').update(JSON.stringify({ stage, extraEnv }));
  for (const file of packagingInputs()) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 24);
}

const LOCK_STALE_MS = 5 * 60_000;

async function runPackage(stage: string, extraEnv: Readonly<Record<string, string>>): Promise<PackagedStage> {
  const cache = join(tmpdir(), 'books-sls-package');
  mkdirSync(cache, { recursive: true });
  const dir = join(cache, `${stage}-${inputsHash(stage, extraEnv)}`);
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(dir)) return readPackaged(stage, dir);
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process packages these inputs: wait for it (or take over a stale lock).
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // The lock went away: look again.
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (existsSync(dir)) return readPackaged(stage, dir);
    const work = mkdtempSync(join(cache, `work-${stage}-`));
    try {
      await withPackagingLock(() => packageInto(stage, extraEnv, work));
      renameSync(join(work, 'out'), dir);
    } finally {
      // A failed packaging leaves no half-built work folder behind (the linter would read it).
      rmSync(work, { recursive: true, force: true });
    }
    return readPackaged(stage, dir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function packageInto(
  stage: string,
  extraEnv: Readonly<Record<string, string>>,
  work: string,
): Promise<void> {
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
}

function readPackaged(stage: string, dir: string): PackagedStage {
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  const template = TemplateSchema.parse(JSON.parse(readFileSync(templatePath, 'utf8')));
  return { stage, dir, templatePath, template };
}
