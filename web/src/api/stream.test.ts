import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "./stream";

describe("reconnectDelayMs", () => {
  it("grows exponentially and stays within the jitter band", () => {
    expect(reconnectDelayMs(0, () => 0)).toBe(250);
    expect(reconnectDelayMs(0, () => 1)).toBe(500);
    expect(reconnectDelayMs(3, () => 0)).toBe(2000);
    expect(reconnectDelayMs(3, () => 1)).toBe(4000);
  });

  it("is capped at 15 seconds however long the server is gone", () => {
    expect(reconnectDelayMs(50, () => 1)).toBe(15_000);
    expect(reconnectDelayMs(50, () => 0)).toBe(7_500);
  });
});
