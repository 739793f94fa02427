import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { visiblePatientIds } from '../access/visible.js';
import type { Caller } from '../access/caller.js';
import { VISIBLE_EPISODE_STATUSES } from '../access/policy.js';
import type { Database } from '../store/schema.js';
import { ROLE_KINDS, roleKindsFor } from './audience.js';

/** The SQL of src/realtime (its own, as audit/store.ts is the audit trail's): reads of realtime_event. */
type Db = Kysely<Database>;

export interface RealtimeRow {
  id: number;
  at: number;
  patientId: number;
  kind: string;
  refId: number;
  payload: string;
}

const toRow = (r: { id: number; at: number; patient_id: number; kind: string; ref_id: number; payload: string }): RealtimeRow =>
  ({ id: Number(r.id), at: Number(r.at), patientId: Number(r.patient_id), kind: r.kind, refId: Number(r.ref_id), payload: r.payload });

/** The newest id (0 when empty): where a hub starts. */
export async function maxEventId(db: Db): Promise<number> {
  const r = await db.selectFrom('realtime_event').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  return r?.m === null || r?.m === undefined ? 0 : Number(r.m);
}

/** The oldest id still kept (undefined when empty): a client behind it missed pruned events. */
export async function minEventId(db: Db): Promise<number | undefined> {
  const r = await db.selectFrom('realtime_event').select((eb) => eb.fn.min('id').as('m')).executeTakeFirst();
  return r?.m === null || r?.m === undefined ? undefined : Number(r.m);
}

/** Events after `after`, in id order, at most `limit` (the hub's poll). */
export async function eventsAfter(db: Db, after: number, limit: number): Promise<RealtimeRow[]> {
  return (await db.selectFrom('realtime_event').selectAll().where('id', '>', after).orderBy('id').limit(limit).execute()).map(toRow);
}

/**
 * A replay page: events in (after, upTo] about patients the caller may see at `now`, by the access
 * layer's own visible set (src/access visiblePatientIds), in id order.
 */
export async function visibleEventsBetween(db: Db, caller: Caller, after: number, upTo: number, now: number, limit: number): Promise<RealtimeRow[]> {
  const mine = roleKindsFor(caller.roles);
  return (await db.selectFrom('realtime_event').selectAll()
    .where('id', '>', after).where('id', '<=', upTo)
    .where((eb) => eb.or([
      // Patient events to those who see the patient; role-audience kinds (audience.ts) only to their roles.
      eb.and([eb('kind', 'not in', [...ROLE_KINDS]), eb('patient_id', 'in', visiblePatientIds(db, caller, now))]),
      ...(mine.length > 0 ? [eb('kind', 'in', mine)] : []),
    ]))
    .orderBy('id').limit(limit).execute()).map(toRow);
}

/** The roles of those of these users who are active (role-audience events go by them, read at delivery). */
export async function activeRolesOf(db: Db, userIds: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (userIds.length === 0) return out;
  const rows = await db.selectFrom('app_user').select(['id', 'roles']).where('id', 'in', [...userIds]).where('status', '=', 'active').execute();
  for (const r of rows) out.set(Number(r.id), JSON.parse(r.roles) as string[]);
  return out;
}

/**
 * Who sees each of these patients at `now`: the same definition as src/access visiblePatientIds
 * (current membership of an active or on-hold episode's team, or a running break-the-glass grant),
 * asked the other way round, so one query per batch serves every connected user.
 */
export async function viewersOf(db: Db, patientIds: readonly number[], now: number): Promise<Map<number, Set<number>>> {
  const viewers = new Map<number, Set<number>>();
  if (patientIds.length === 0) return viewers;
  const ids = [...patientIds];
  const rows = await db.selectFrom('care_team_member as m').innerJoin('care_episode as e', 'e.id', 'm.episode_id')
    .select(['m.user_id', 'e.patient_id'])
    .where('e.patient_id', 'in', ids).where('m.active_to', 'is', null).where('e.status', 'in', [...VISIBLE_EPISODE_STATUSES])
    .union(db.selectFrom('break_glass_grant').select(['user_id', 'patient_id']).where('patient_id', 'in', ids).where('expires_at', '>', now))
    .execute();
  for (const r of rows) {
    const pid = Number(r.patient_id);
    let set = viewers.get(pid);
    if (!set) viewers.set(pid, (set = new Set()));
    set.add(Number(r.user_id));
  }
  return viewers;
}

/** Delete events published before `before` (outside the replay window); the number deleted. */
export async function pruneEvents(db: Db, before: number): Promise<number> {
  const r = await db.deleteFrom('realtime_event').where('at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** PostgreSQL's transaction horizon now: xmin = oldest running transaction, xmax = next to start. */
export async function pgSnapshot(db: Db): Promise<{ xmin: bigint; xmax: bigint }> {
  const r = await sql<{ s: string }>`select txid_current_snapshot()::text as s`.execute(db);
  const [xmin, xmax] = r.rows[0]!.s.split(':');
  return { xmin: BigInt(xmin!), xmax: BigInt(xmax!) };
}

/** The session a stream runs under, with its user's status (undefined when gone). */
export async function sessionWithUser(db: Db, sessionId: number) {
  const r = await db.selectFrom('session as s').innerJoin('app_user as u', 'u.id', 's.user_id')
    .select(['s.created_at', 's.last_seen_at', 's.expires_at', 's.ended_at', 's.end_reason', 'u.status'])
    .where('s.id', '=', sessionId).executeTakeFirst();
  return r && {
    createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at), expiresAt: Number(r.expires_at),
    endedAt: r.ended_at === null ? null : Number(r.ended_at), endReason: r.end_reason, userStatus: r.status,
  };
}

/** Whether `db` speaks PostgreSQL (holes are then resolved by snapshots). */
export const isPostgres = (db: Db): boolean => db.getExecutor().adapter instanceof PostgresAdapter;
