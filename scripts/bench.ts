/** `pnpm bench <name> [...args]`: runs scripts/bench/<name>.ts, which prints its figures. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const [name, ...rest] = process.argv.slice(2);
const dir = path.join(__dirname, 'bench');
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
if (name === undefined || !existsSync(path.join(dir, `${name}.ts`))) {
  process.stderr.write(`usage: pnpm bench <${available.join('|')}> [args]\n`);
  process.exit(2);
}
process.argv = [process.argv[0] ?? 'node', path.join(dir, `${name}.ts`), ...rest];
require(path.join(dir, `${name}.ts`));
