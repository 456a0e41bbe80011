import { type Logger, TradingDate } from '@books/core';
import type { StageEvent } from '@books/events';
import { buildDigest, type DigestInput } from './digest';
import { renderDigest } from './render';
import { redactSecrets } from './secrets';
import type { NotificationSink } from './sinks';

export interface DigestNotifierDeps {
  /** The digest's input for the stage's run of a date (`collectDigestInput` over the stage's services). */
  readonly collect: (date: TradingDate) => Promise<DigestInput>;
  readonly sink: NotificationSink;
  /** Every secret value the stage knows (broker keys, webhook URL): never in a message. */
  readonly secrets: () => Promise<readonly string[]>;
  readonly logger: Logger;
}

/**
 * The digest consumer: on a run's RunCompleted, the run's digest is built, rendered, redacted and
 * delivered. At least once: a republished RunCompleted (same id) delivers the same digest again,
 * which the sink overwrites (files) or skips where it already went (the deployed sinks remember
 * each delivery by the digest's id, `digest#{runId}`: `rememberedFanOut`); within one process a
 * delivered id is remembered and not sent twice. A failure throws to the bus (EventBridge retries
 * its target; the embedded bus reports it).
 */
export function digestNotifier(deps: DigestNotifierDeps): (event: StageEvent) => Promise<void> {
  const delivered = new Set<string>();
  return async (event) => {
    if (event.type !== 'RunCompleted' || delivered.has(event.id)) return;
    const digest = buildDigest(await deps.collect(TradingDate(event.detail.tradingDate)));
    await deps.sink.deliver(redactSecrets(renderDigest(digest), await deps.secrets()));
    delivered.add(event.id);
    deps.logger.info(
      { event: 'digest-delivered', runId: event.detail.runId, fills: digest.totals.fills },
      `digest of ${event.detail.runId} delivered`,
    );
  };
}
