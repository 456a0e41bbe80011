import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '@books/core';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { openWorld, STRATEGIES_DIR } from '../e2e/support';

/** A strategy of a test stage: its DSL (text, or an example file of the project) and its config. */
export interface TestStrategy {
  readonly id: string;
  readonly allocation: string;
  readonly flow: Flow;
  readonly dsl: { readonly text: string } | { readonly example: string };
}

/** Fixed weights and a 5-point band: targets that never change, so any order is caused by the books. */
export const STATIC_STRATEGIES: readonly TestStrategy[] = [
  {
    id: 'balanced',
    allocation: '0.40',
    flow: 'legacy',
    dsl: {
      text: `(defsymphony "balanced 60/40" {:asset-class "EQUITIES", :rebalance-threshold 0.05}
 (weight-specified 0.6 (asset "SPY" "SPDR S&P 500 ETF Trust") 0.4 (asset "TLT" "iShares 20+ Year Treasury Bond ETF")))`,
    },
  },
  {
    id: 'gold_tilt',
    allocation: '0.35',
    flow: 'legacy',
    dsl: {
      text: `(defsymphony "gold tilt" {:asset-class "EQUITIES", :rebalance-threshold 0.05}
 (weight-specified 0.5 (asset "SPY" "SPDR S&P 500 ETF Trust") 0.5 (asset "GLD" "SPDR Gold Shares")))`,
    },
  },
  {
    id: 'bonds_ladder',
    allocation: '0.25',
    flow: 'legacy',
    dsl: {
      text: `(defsymphony "bonds ladder" {:asset-class "EQUITIES", :rebalance-threshold 0.05}
 (weight-equal [(asset "IEF" "iShares 7-10 Year Treasury Bond ETF") (asset "TLT" "iShares 20+ Year Treasury Bond ETF") (asset "GLD" "SPDR Gold Shares")]))`,
    },
  },
];

/** The example strategies on all three flows at once: legacy and shadow trade through the LEGACY book. */
export const MIXED_EXAMPLES: readonly TestStrategy[] = [
  { id: 'momentum', allocation: '0.30', flow: 'legacy', dsl: { example: 'momentum.clj' } },
  { id: 'mean_reversion', allocation: '0.30', flow: 'shadow', dsl: { example: 'mean_reversion.clj' } },
  { id: 'breakout', allocation: '0.40', flow: 'per-strategy', dsl: { example: 'breakout.clj' } },
];

/** A strategies directory with the given strategies and a config.local.json giving each its flow. */
export function strategiesDirWith(strategies: readonly TestStrategy[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'books-legacy-strategies-'));
  for (const s of strategies) {
    if ('text' in s.dsl) writeFileSync(join(dir, `${s.id}.clj`), s.dsl.text);
    else copyFileSync(join(STRATEGIES_DIR, s.dsl.example), join(dir, `${s.id}.clj`));
  }
  const config = {
    capitalPolicy: { mode: 'drift', threshold: '0.10' },
    minTradeNotional: '1',
    runWindowMinutes: 30,
    onReconciliationBreak: 'block-strategy',
    strategies: strategies.map((s) => ({
      id: s.id,
      file: `${s.id}.clj`,
      allocation: s.allocation,
      flow: s.flow,
    })),
  };
  writeFileSync(join(dir, 'config.local.json'), JSON.stringify(config, null, 2));
  return dir;
}

export async function openLegacyWorld(
  prefix: string,
  strategies: readonly TestStrategy[],
): Promise<{ world: LocalWorld; strategiesDir: string }> {
  const strategiesDir = strategiesDirWith(strategies);
  const world = await openWorld(prefix, {
    strategiesDir,
    configFile: 'config.local.json',
    flowFlagsFile: join(strategiesDir, 'flows.json'),
  });
  return { world, strategiesDir };
}
