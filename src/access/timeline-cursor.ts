import { AccessError, AccessErrorCode } from './errors.js';

/**
 * Keyset pagination of a timeline newest first, over two sources (events rank 1, tasks rank 0, so
 * at one instant events come first), ties by id descending. The cursor is the last item's
 * (time, rank, id), opaque to clients: base64url JSON. Pure.
 */
export interface TimelineCursor {
  t: number;
  r: number;
  id: number;
}

export const encodeCursor = (c: TimelineCursor): string => Buffer.from(JSON.stringify([c.t, c.r, c.id])).toString('base64url');

/** Decode a cursor a client sent back; anything else throws access.invalid_cursor. */
export function decodeCursor(text: string): TimelineCursor {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && v.every((n) => Number.isSafeInteger(n))) return { t: v[0], r: v[1], id: v[2] };
  } catch {
    // fall through
  }
  throw new AccessError(AccessErrorCode.InvalidCursor, 'cursor is not valid: pass back the nextCursor of a previous page');
}

/**
 * What rows of the source of rank `rank` come after the cursor, as a condition on (time, id):
 * 'time<=t' all rows at or before t; 'time<t' strictly before; 'tie' before t, or at t with id < cursor id.
 */
export function afterCursor(rank: number, c: TimelineCursor): { kind: 'time<=t' | 'time<t' } | { kind: 'tie'; id: number } {
  if (rank < c.r) return { kind: 'time<=t' };
  if (rank > c.r) return { kind: 'time<t' };
  return { kind: 'tie', id: c.id };
}
