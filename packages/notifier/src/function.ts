import { type NotifierConfig, type NotifierOptions, notifierFunction } from '@books/notifications';
import type { Services } from '@books/runtime';

/**
 * The notifier: each EventBridge delivery of the stage's rule (RunCompleted, ReconciliationBreak)
 * handed to `notifierFunction` (`@books/notifications`), which answers what it handled.
 */
export function notifierHandlerFunction(
  services: Services,
  config: NotifierConfig,
  options: NotifierOptions = {},
): (event: unknown) => Promise<{ readonly type: string; readonly id: string }> {
  return notifierFunction(services, config, options);
}
