import type { Kysely } from 'kysely';
import { can, Permission } from '../access/policy.js';
import type { Database } from '../store/schema.js';
import { publish, RealtimeKind } from './publish.js';

/**
 * Kinds whose audience is a permission, not the patient's viewers: they go to the signed-in users whose
 * roles hold it (read from the user's row at delivery, from the session at replay), whether or not they
 * see the patient, and to nobody else, not even the patient's care team. Every other kind goes to the
 * users who see its patient (viewersOf / visiblePatientIds).
 */
export const ROLE_AUDIENCE: Readonly<Partial<Record<RealtimeKind, Permission>>> = {
  [RealtimeKind.BreakGlass]: Permission.ReviewBreakGlass,
};

/** The kinds of ROLE_AUDIENCE. */
export const ROLE_KINDS: readonly string[] = Object.keys(ROLE_AUDIENCE);

/** The kinds of ROLE_AUDIENCE these roles receive. */
export function roleKindsFor(roles: readonly string[]): string[] {
  return (Object.entries(ROLE_AUDIENCE) as [RealtimeKind, Permission][]).filter(([, p]) => can(roles, p)).map(([k]) => k);
}

/** The permission a kind's audience needs (undefined: the patient's viewers). */
export const audienceOf = (kind: string): Permission | undefined => ROLE_AUDIENCE[kind as RealtimeKind];

/**
 * A break-the-glass grant was taken or reviewed (called by src/access in the grant's transaction):
 * who, which patient, until when, and the review's outcome, for the privacy officer. The reason and
 * the review note are free text: they stay out of the stream and are read through GET /api/break-glass,
 * which is audited.
 */
export function publishBreakGlass(db: Kysely<Database>, g: {
  id: number; userId: number; username: string; patientId: number; grantedAt: number; expiresAt: number; at: number; state: 'granted' | 'reviewed'; outcome: string | null;
}): Promise<void> {
  return publish(db, {
    at: g.at, patientId: g.patientId, kind: RealtimeKind.BreakGlass, refId: g.id,
    payload: { state: g.state, userId: g.userId, username: g.username, grantedAt: g.grantedAt, expiresAt: g.expiresAt, outcome: g.outcome },
  });
}
