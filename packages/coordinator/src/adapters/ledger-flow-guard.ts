import { type Flow, mapBounded, type StrategyId } from '@books/core';
import type { BookRepository, LegacyRepository } from '@books/ledger-client';
import type { FlowGuard } from '../ports';

const holdingsOf = (flow: Flow) => (flow === 'per-strategy' ? 'per-strategy' : 'legacy');

/**
 * Where a strategy's holdings are, from the ledger: its migration marker when it has one; else a
 * strategy that contributed to the latest legacy run holds inside the legacy book, and one whose
 * own book has lots holds there. A flow that disagrees is refused with the command that fixes it,
 * so flipping a flag without migrating never sells a strategy's share on one side and buys it
 * again on the other.
 */
export class LedgerFlowGuard implements FlowGuard {
  constructor(
    private readonly legacy: LegacyRepository,
    private readonly books: BookRepository,
  ) {}

  async check(strategies: readonly { readonly id: StrategyId; readonly flow: Flow }[]) {
    const blocked = new Map<StrategyId, string>();
    const [latest, markers] = await Promise.all([
      this.legacy.latestSignals(),
      this.legacy.flowMarkers(strategies.map((s) => s.id)),
    ]);
    const contributedTo = (id: StrategyId) =>
      latest?.strategies.some(
        (c) => c.strategyId === id && c.status !== 'FAILED' && Object.keys(c.contributions).length > 0,
      ) ?? false;
    // The own books' lots of the legacy-flow strategies without a marker, read at once.
    const ownLots = new Map(
      await mapBounded(
        strategies.filter((s) => !markers.has(s.id) && holdingsOf(s.flow) === 'legacy'),
        async (s) => [s.id, (await this.books.lots(s.id)).length] as const,
      ),
    );
    for (const s of strategies) {
      const wanted = holdingsOf(s.flow);
      const marker = markers.get(s.id);
      let actual: 'per-strategy' | 'legacy' | undefined = marker?.holdings;
      let why = marker ? `since migration ${marker.migrationId}` : '';
      if (!marker) {
        if (contributedTo(s.id) && wanted === 'per-strategy') {
          actual = 'legacy';
          why = `(it contributed to legacy run ${latest?.runId})`;
        } else if (wanted === 'legacy') {
          const lots = ownLots.get(s.id) ?? 0;
          if (lots > 0) {
            actual = 'per-strategy';
            why = `(its own book holds ${lots} lot${lots === 1 ? '' : 's'})`;
          }
        }
      }
      if (actual !== undefined && actual !== wanted)
        blocked.set(
          s.id,
          `blocked: flow is ${s.flow} but the holdings of ${s.id} are in the ${actual === 'legacy' ? 'legacy book' : 'its own book'} ${why}: run  books migrate ${s.id} --to ${s.flow === 'per-strategy' ? 'per-strategy' : 'legacy'}`,
        );
    }
    return blocked;
  }
}
