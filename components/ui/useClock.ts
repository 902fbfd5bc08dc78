'use client';

import { useSyncExternalStore } from 'react';

// Shared clocks, one per tick period, each running only while a component shows it. The server
// (and the hydration pass) sees no clock (0), so anything worded from the time is rendered only in
// the browser, and the server's HTML never disagrees with the client's (issue 27.1).
interface Clock {
  listeners: Set<() => void>;
  now: number;
  timer: ReturnType<typeof setInterval> | null;
  subscribe: (listener: () => void) => () => void;
  read: () => number;
}

const clocks = new Map<number, Clock>();

function clockOf(periodMs: number): Clock {
  let clock = clocks.get(periodMs);
  if (clock) return clock;
  const c: Clock = {
    listeners: new Set(),
    now: 0,
    timer: null,
    subscribe(listener) {
      c.listeners.add(listener);
      if (!c.timer) {
        c.now = Date.now();
        c.timer = setInterval(() => {
          c.now = Date.now();
          for (const l of c.listeners) l();
        }, periodMs);
      }
      return () => {
        c.listeners.delete(listener);
        if (c.listeners.size === 0 && c.timer) {
          clearInterval(c.timer);
          c.timer = null;
        }
      };
    },
    read: () => c.now || (c.now = Date.now()),
  };
  clocks.set(periodMs, (clock = c));
  return clock;
}

const serverNow = () => 0;

/** The time (ms) from a clock that ticks every `periodMs`; 0 on the server and during hydration. */
export function useClock(periodMs: number): number {
  const clock = clockOf(periodMs);
  return useSyncExternalStore(clock.subscribe, clock.read, serverNow);
}
