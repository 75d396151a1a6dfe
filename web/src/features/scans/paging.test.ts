import { describe, expect, it } from "vitest";
import { firstPage, offsetWithin, pagedPath, scanPageSize } from "./paging";

describe("pages of a job's results and changes", () => {
  it("asks the server for one page by limit and offset", () => {
    expect(pagedPath("/api/v1/scans/7/results", firstPage)).toBe("/api/v1/scans/7/results?limit=100&offset=0");
    expect(pagedPath("/api/v1/scans/7/diff", { offset: 200, limit: scanPageSize })).toBe(
      "/api/v1/scans/7/diff?limit=100&offset=200",
    );
  });

  it("keeps an offset that still shows items, else goes to the last page that does", () => {
    expect(offsetWithin(100, 1234, 100)).toBe(100);
    expect(offsetWithin(1300, 1234, 100)).toBe(1200);
    expect(offsetWithin(1200, 1200, 100)).toBe(1100);
    expect(offsetWithin(300, 0, 100)).toBe(0);
    expect(offsetWithin(0, 0, 100)).toBe(0);
  });
});
