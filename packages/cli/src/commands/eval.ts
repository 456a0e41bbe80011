import { readFile } from 'node:fs/promises';
import { errorMessage, TradingDate } from '@books/core';
import { barPortFrom, compile, formatDslError, formatTrace, Session, type SymbolWeight } from '@books/dsl';
import { CsvBarStore, splitAdjustedBars } from '@books/market-data';
import type { Command } from 'commander';
import * as z from 'zod';

export interface EvalArgs {
  readonly strategy: string;
  readonly data: string;
  /** Comma-separated dates YYYY-MM-DD. */
  readonly asOf: string;
  readonly json: boolean;
  /** Print each date's decision trace (formatTrace; with --json, the trace documents). */
  readonly explain?: boolean;
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 evaluated (some dates may have failed), 1 unreadable input or parse error, 2 usage. */
export async function runEval(args: EvalArgs, io: Output): Promise<number> {
  const dates: string[] = [];
  for (const raw of args.asOf.split(',')) {
    const text = raw.trim();
    try {
      dates.push(TradingDate(text));
    } catch {
      io.err(`books eval: --as-of: "${text}" is not a date YYYY-MM-DD (give one or more, comma-separated)\n`);
      return 2;
    }
  }
  let source: string;
  try {
    source = await readFile(args.strategy, 'utf8');
  } catch (e) {
    io.err(`books eval: cannot read ${args.strategy}: ${errorMessage(e)}\n`);
    return 1;
  }
  const compiled = compile(source, args.strategy);
  if (!compiled.ok) {
    for (const e of compiled.error) io.err(`${formatDslError(e)}\n`);
    return 1;
  }
  const until = dates.toSorted().at(-1) ?? '';
  let session: Session;
  try {
    const store = new CsvBarStore(args.data);
    // As the strategy worker: indicators read split-adjusted closes.
    session = await Session.open(compiled.value, barPortFrom(splitAdjustedBars(store, store)), until);
  } catch (e) {
    io.err(`books eval: cannot read bars from ${args.data}: ${errorMessage(e)}\n`);
    return 1;
  }
  if (args.explain === true) {
    const traces = dates.map((d) => session.explain(d).trace());
    io.out(args.json ? `${JSON.stringify(traces, null, 1)}\n` : traces.map(formatTrace).join('\n'));
    return 0;
  }
  const results = dates.map((d) => [d, session.evaluate(d)] as const);
  if (args.json) {
    const doc: Record<string, Record<string, number | string>> = {};
    for (const [d, r] of results) {
      doc[d] = r.ok
        ? Object.fromEntries(r.value.map((w) => [w.symbol, w.weight.toNumber()]))
        : { error: formatDslError(r.error) };
    }
    io.out(`${JSON.stringify(doc, null, 1)}\n`);
    return 0;
  }
  for (const [d, r] of results)
    io.out(`${d}\n${r.ok ? table(r.value) : `  error: ${formatDslError(r.error)}\n`}\n`);
  return 0;
}

function table(weights: readonly SymbolWeight[]): string {
  const width = Math.max(6, ...weights.map((w) => w.symbol.length));
  const rows = weights.map((w) => `  ${w.symbol.padEnd(width)}  ${w.weight.toString()}`);
  return `  ${'symbol'.padEnd(width)}  weight\n${rows.join('\n')}\n`;
}

const OptionsSchema = z.object({
  data: z.string().min(1),
  asOf: z.string().min(1),
  json: z.boolean().optional(),
  explain: z.boolean().optional(),
});

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('Evaluate a strategy (.clj) as of the close of one or more dates')
    .argument('<strategy>', 'the strategy file (.clj)')
    .requiredOption('--data <dir>', 'a directory of bar CSV files (date,open,high,low,close,volume)')
    .requiredOption('--as-of <dates>', 'one or more dates YYYY-MM-DD, comma-separated')
    .option('--json', 'print one JSON object {date: {SYMBOL: weight} | {error}}')
    .option('--explain', 'print the decision trace of each date: every if, filter and weighting')
    .action(async (strategy: string, raw: unknown, command: Command) => {
      const opts = OptionsSchema.safeParse(raw);
      if (!opts.success) command.error(`books eval: ${opts.error.message}`, { exitCode: 2 });
      else {
        const io: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
        const o = opts.data;
        process.exitCode = await runEval(
          { strategy, data: o.data, asOf: o.asOf, json: o.json === true, explain: o.explain === true },
          io,
        );
      }
    });
}
