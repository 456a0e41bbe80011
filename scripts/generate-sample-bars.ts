/** Writes the deterministic sample bars: `pnpm exec tsx scripts/generate-sample-bars.ts [DIR]`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSampleBars, sampleTradingDays } from '../packages/market-data/src/sample-bars';

const dir = path.resolve(process.argv[2] ?? '.books/sample-bars');
mkdirSync(dir, { recursive: true });
const files = generateSampleBars(sampleTradingDays('2023-01-03', '2025-12-31'));
for (const [symbol, csv] of files) writeFileSync(path.join(dir, `${symbol.replace('/', '.')}.csv`), csv);
process.stdout.write(`wrote ${files.size} files to ${dir}\n`);
