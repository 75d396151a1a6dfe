// Pages of a job's results and changes: the server pages them (limit, offset) as every list of
// the API does, so a job of a million hosts never comes in one answer.

import { query } from "../../api/client";

/** Hosts per page of results, changes per page of a diff. */
export const scanPageSize = 100;

/** Which page: `offset` items skipped, at most `limit` shown. */
export interface PageQuery {
  offset: number;
  limit: number;
}

/** The first page. */
export const firstPage: PageQuery = { offset: 0, limit: scanPageSize };

/** "/api/v1/scans/7/results?limit=100&offset=200". */
export function pagedPath<Path extends string>(path: Path, page: PageQuery): `${Path}?${string}` {
  // `limit` is always there, so the query string is never empty.
  return `${path}?${query({ limit: page.limit, offset: page.offset }).slice(1)}`;
}

/** The offset to show once `total` is known: the same page while it still has items, else the
 * last page that does (a list that shrank, an offset typed into a URL). */
export function offsetWithin(offset: number, total: number, limit: number): number {
  if (total === 0) return 0;
  if (offset < total) return offset;
  return Math.floor((total - 1) / limit) * limit;
}
