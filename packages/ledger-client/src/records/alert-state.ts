import { lazySchema } from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { keys } from '../keys';
import { decodeItem } from './decode';

/**
 * The state of an alert subject (`ALERTS` / `SUBJECT#{subject}`): FAILING from the first failure
 * seen until a success clears it, so that a failure episode is alerted once and its end once.
 * `version` orders the writers: each write is conditional on the version read.
 */
export interface AlertState {
  readonly subject: string;
  readonly status: 'FAILING' | 'OK';
  /** When the current status began. */
  readonly since: string;
  /** What the last observation said (an error, a break), for the messages. */
  readonly detail: string;
  readonly version: number;
}

const AlertStateSchema = lazySchema(() =>
  z.object({
    subject: z.string().min(1),
    status: z.enum(['FAILING', 'OK']),
    since: field.instant,
    detail: z.string(),
    version: field.count,
  }),
);

export function encodeAlertState(state: AlertState): Item {
  return toItem({ ...keys.alertState(state.subject), entity: 'ALERT_STATE', ...state });
}

export function decodeAlertState(item: Item): AlertState {
  return decodeItem(AlertStateSchema(), item, 'alert state');
}
