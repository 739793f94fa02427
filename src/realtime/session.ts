import type { Kysely } from 'kysely';
import { idleDeadline, sessionExpiry, type SessionPolicy } from '../auth/session.js';
import type { Database } from '../store/schema.js';
import { sessionWithUser } from './store.js';

/** Whether a stream's session still holds, and until when at least (it may slide later). */
export type SessionState = { open: true; deadline: number } | { open: false; reason: string };

/**
 * The session's state at `now` by the auth rules (src/auth/session.ts): ended (logout, logout-all,
 * password reset...), idle or absolute timeout, or its user disabled close the stream. The stream
 * itself does not slide the idle deadline: an open dashboard is not activity; its other requests are.
 */
export async function sessionState(db: Kysely<Database>, sessionId: number, policy: SessionPolicy, now: number): Promise<SessionState> {
  const s = await sessionWithUser(db, sessionId);
  if (!s) return { open: false, reason: 'logout' };
  if (s.endedAt !== null) return { open: false, reason: s.endReason ?? 'logout' };
  if (s.userStatus !== 'active') return { open: false, reason: 'disabled' };
  const expiry = sessionExpiry(s, policy, now);
  return expiry === 'active' ? { open: true, deadline: idleDeadline(s, policy) } : { open: false, reason: expiry };
}
