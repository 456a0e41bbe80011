import { ManualClock } from '@books/core';
import type { Sleep } from '../../src';

/** A manual clock and a sleep that advances it instead of waiting; records every sleep. */
export function manualTime(start: string): { clock: ManualClock; sleep: Sleep; slept: number[] } {
  const clock = new ManualClock(start);
  const slept: number[] = [];
  const sleep: Sleep = async (ms) => {
    slept.push(ms);
    clock.advance(ms);
  };
  return { clock, sleep, slept };
}
