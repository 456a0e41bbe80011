import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { parse } from 'yaml';
import * as z from 'zod';

/**
 * The functions' bundles are minified without esbuild's keepNames (serverless.yml, custom.esbuild):
 * a class's own `.name` is a mangled letter there. An error's `name` is what Lambda reports as its
 * errorType, what DailyRun's Retry matches (RunCompletionFailed) and what a log line's `type`
 * says: every error class of the workspace states it in its code (BooksError's `errorName`, or a
 * `name` field). This bundles every one of them as the functions are bundled and checks each.
 */
const ROOT = join(__dirname, '../../../..');
const PACKAGES = join(ROOT, 'packages');

/** Named by its error type, which its caller gives (a Lambda error as Step Functions sees it). */
const NAMED_BY_ARGUMENT: Readonly<Record<string, readonly unknown[]>> = {
  LambdaFunctionError: ['Sandbox.Timedout', 'Task timed out after 1 seconds'],
};

interface ErrorClass {
  readonly name: string;
  readonly file: string;
  readonly exported: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const CLASS = /^(export\s+)?(?:abstract\s+)?class\s+(\w+)(?:<[^>]*>)?\s+extends\s+(\w+)/gm;

/**
 * Every class of the packages' sources that extends Error, directly or through another class of
 * the workspace (or a built-in `…Error`).
 */
function workspaceErrorClasses(): ErrorClass[] {
  const classes: (ErrorClass & { readonly base: string })[] = [];
  for (const pkg of readdirSync(PACKAGES)) {
    let files: string[];
    try {
      files = sourceFiles(join(PACKAGES, pkg, 'src'));
    } catch {
      continue;
    }
    for (const file of files)
      for (const m of readFileSync(file, 'utf8').matchAll(CLASS))
        classes.push({ name: m[2] ?? '', base: m[3] ?? '', file, exported: m[1] !== undefined });
  }
  const names = new Set(classes.map((c) => c.name));
  const errors = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of classes) {
      const isError = errors.has(c.base) || (!names.has(c.base) && /Error$/.test(c.base));
      if (isError && !errors.has(c.name)) {
        errors.add(c.name);
        grew = true;
      }
    }
  }
  return classes
    .filter((c) => errors.has(c.name))
    .map(({ name, file, exported }) => ({ name, file, exported }));
}

/** serverless.yml's custom.esbuild: the options serverless-esbuild bundles every function with. */
const FunctionBundleSchema = z.object({
  bundle: z.literal(true),
  minify: z.boolean(),
  sourcemap: z.boolean(),
  target: z.string(),
  platform: z.literal('node'),
  mainFields: z.array(z.string()),
  supported: z.record(z.string(), z.boolean()),
  banner: z.object({ js: z.string() }),
  plugins: z.string(),
});

function functionBundleOptions() {
  const yml = z
    .object({ custom: z.object({ esbuild: z.unknown() }) })
    .parse(parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')));
  const options = FunctionBundleSchema.parse(yml.custom.esbuild);
  const plugins = z.array(z.custom<Plugin>()).parse(require(join(ROOT, options.plugins)));
  return { ...options, plugins };
}

/**
 * A program that constructs each class and prints its instance's `name` and its constructor's
 * own `.name`. Constructors get a value that absorbs whatever they do with their arguments
 * (property reads, calls, string conversion), so that none needs its own.
 */
function probeProgram(classes: readonly ErrorClass[]): string {
  const imports = classes.map((c, i) => `import { ${c.name} as c${i} } from ${JSON.stringify(c.file)};`);
  const entries = classes.map(
    (c, i) => `[${JSON.stringify(c.name)}, c${i}, ${JSON.stringify(NAMED_BY_ARGUMENT[c.name] ?? null)}]`,
  );
  return `${imports.join('\n')}
const anything = new Proxy(function () {}, {
  get: (_, key) =>
    key === Symbol.toPrimitive ? () => 'x' : key === Symbol.iterator ? function* () {} : key === 'then' ? undefined : anything,
  apply: () => anything,
  construct: () => anything,
});
const out = {};
for (const [name, cls, args] of [${entries.join(',\n')}]) {
  const e = Reflect.construct(cls, args ?? [anything, anything, anything, anything, anything]);
  out[name] = { name: e.name, constructorName: cls.name, isError: e instanceof Error };
}
process.stdout.write(JSON.stringify(out));
`;
}

const ProbeSchema = z.record(
  z.string(),
  z.object({ name: z.unknown(), constructorName: z.string(), isError: z.boolean() }),
);

describe('error names in the minified function bundles', () => {
  const classes = workspaceErrorClasses();

  it('finds the error classes of every package, each exported from its module', () => {
    expect(classes.length).toBeGreaterThan(50);
    expect(classes.map((c) => c.name)).toEqual(
      expect.arrayContaining(['BooksError', 'RunCompletionFailed', 'OversellError', 'DecimalParseError']),
    );
    expect(classes.filter((c) => !c.exported).map((c) => `${c.name} (${relative(ROOT, c.file)})`)).toEqual(
      [],
    );
  });

  it("keeps each error class's name as its instances' name, bundled as the functions are without keepNames", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'books-error-names-'));
    try {
      writeFileSync(join(dir, 'probe.ts'), probeProgram(classes));
      await build({
        ...functionBundleOptions(),
        keepNames: false,
        absWorkingDir: ROOT,
        entryPoints: [join(dir, 'probe.ts')],
        outfile: join(dir, 'probe.js'),
        logLevel: 'silent',
      });
      const probed = ProbeSchema.parse(
        JSON.parse(execFileSync(process.execPath, [join(dir, 'probe.js')], { encoding: 'utf8' })),
      );
      const expected = Object.fromEntries(
        classes.map((c) => [c.name, { name: NAMED_BY_ARGUMENT[c.name]?.[0] ?? c.name, isError: true }]),
      );
      const actual = Object.fromEntries(
        Object.entries(probed).map(([cls, p]) => [cls, { name: p.name, isError: p.isError }]),
      );
      expect(actual).toEqual(expected);
      // The bundle did lose the classes' own names: what the check above relies on, errorName.
      expect(Object.entries(probed).filter(([cls, p]) => p.constructorName === cls)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
