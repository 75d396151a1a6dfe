/** A function that runs at most once per interval however often it is called. */
export interface Throttled {
  /** Asks for a run: now if none ran within the interval, else once when the interval ends. */
  call(): void;
  /** Drops a pending run (on unmount). */
  cancel(): void;
}

/** The clock and timer a throttle uses; tests pass fakes. */
export interface ThrottleTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: ThrottleTimers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Runs `run` on the first call, then at most once per `intervalMs`: calls inside the interval
 * collapse into one run at its end, so the last call is never lost. A burst of 1,000 stream
 * messages thus costs two refetches, not 1,000.
 */
export function throttle(run: () => void, intervalMs: number, timers: ThrottleTimers = realTimers): Throttled {
  let lastRun = Number.NEGATIVE_INFINITY;
  let pending: unknown = null;

  const fire = () => {
    pending = null;
    lastRun = timers.now();
    run();
  };

  return {
    call() {
      if (pending !== null) return;
      const wait = lastRun + intervalMs - timers.now();
      if (wait <= 0) fire();
      else pending = timers.setTimeout(fire, wait);
    },
    cancel() {
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
    },
  };
}
