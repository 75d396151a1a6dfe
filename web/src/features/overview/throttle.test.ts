import { describe, expect, it } from "vitest";
import { throttle, type ThrottleTimers } from "./throttle";

/** A hand-driven clock: `advance` runs the timers that fall due, in order. */
function fakeTimers() {
  let now = 1_000_000;
  let nextId = 1;
  const due = new Map<number, { at: number; run: () => void }>();
  const timers: ThrottleTimers = {
    now: () => now,
    setTimeout: (run, ms) => {
      const id = nextId++;
      due.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout: (handle) => void due.delete(handle as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      due.delete(next[0]);
      now = next[1].at;
      next[1].run();
    }
    now = end;
  };
  return { timers, advance, pendingCount: () => due.size };
}

describe("throttle", () => {
  it("runs a burst of 1,000 calls twice: at once and once at the end of the interval", () => {
    const clock = fakeTimers();
    let runs = 0;
    const t = throttle(() => runs++, 2000, clock.timers);
    for (let i = 0; i < 1000; i++) t.call();
    expect(runs).toBe(1);
    clock.advance(1999);
    expect(runs).toBe(1);
    clock.advance(1);
    expect(runs).toBe(2);
    clock.advance(10_000);
    expect(runs).toBe(2);
  });

  it("never runs more than once per interval under a steady stream of calls", () => {
    const clock = fakeTimers();
    const runTimes: number[] = [];
    const t = throttle(() => runTimes.push(clock.timers.now()), 2000, clock.timers);
    for (let i = 0; i < 100; i++) {
      t.call();
      clock.advance(100);
    }
    clock.advance(2000);
    // 10 s of calls: the first run, then one per 2 s, then the trailing one.
    expect(runTimes.length).toBe(6);
    for (let i = 1; i < runTimes.length; i++) {
      expect(runTimes[i]! - runTimes[i - 1]!).toBeGreaterThanOrEqual(2000);
    }
  });

  it("runs at once again when the interval has passed since the last run", () => {
    const clock = fakeTimers();
    let runs = 0;
    const t = throttle(() => runs++, 2000, clock.timers);
    t.call();
    clock.advance(5000);
    t.call();
    expect(runs).toBe(2);
    expect(clock.pendingCount()).toBe(0);
  });

  it("cancel drops the pending run", () => {
    const clock = fakeTimers();
    let runs = 0;
    const t = throttle(() => runs++, 2000, clock.timers);
    t.call();
    t.call();
    t.cancel();
    clock.advance(5000);
    expect(runs).toBe(1);
  });
});
