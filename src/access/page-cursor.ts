import { AccessError, AccessErrorCode } from './errors.js';

/**
 * Keyset pagination for the list routes: a page is `limit` items plus an opaque `nextCursor` (the
 * last item's sort key as base64url JSON, integers or null), null on the last page. Pure.
 */
export type PageKey = readonly (number | null)[];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export const encodePageKey = (key: PageKey): string => Buffer.from(JSON.stringify(key)).toString('base64url');

/** Decode a cursor of `length` keys a client sent back; anything else throws access.invalid_cursor. */
export function decodePageKey(text: string, length: number): (number | null)[] {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === length && v.every((n) => n === null || Number.isSafeInteger(n))) return v as (number | null)[];
  } catch {
    // fall through
  }
  throw new AccessError(AccessErrorCode.InvalidCursor, 'cursor is not valid: pass back the nextCursor of a previous page');
}

/** A page from rows read with `limit + 1` (the extra row only says there is more). */
export function pageOf<R, T>(rows: readonly R[], limit: number, key: (row: R) => PageKey, map: (row: R) => T): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: rows.length > limit && last !== undefined ? encodePageKey(key(last)) : null };
}
