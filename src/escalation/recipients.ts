import type { RecipientRole, Severity } from '../alerts/contract.js';
import { Pool, type RecipientSpec } from './policy.js';

/** A current member of one of the patient's active episodes' teams. */
export interface TeamSeat {
  userId: number;
  role: RecipientRole;
  episodeId: number;
  isPrimary: boolean;
}

/** Active users of each pool (ids); `admins` are the last resort of a critical alert. */
export interface PoolMembers {
  supervisors: readonly number[];
  onCall: readonly number[];
  admins: readonly number[];
}

/** Where a recipient came from: a care-team role, or a pool. */
export const PoolRole = { Supervisors: 'pool:supervisors', OnCall: 'pool:on-call', Admins: 'pool:admins' } as const;
export type PoolRole = (typeof PoolRole)[keyof typeof PoolRole];

export interface Recipient {
  userId: number;
  role: RecipientRole | PoolRole;
  /** Told because of a gap (a vacant role or an empty pool), not for their own role. */
  gap: boolean;
  /** The gap that brought them in (e.g. `vacant:care-coordinator`), null otherwise. */
  gapReason: string | null;
}

/** What was missing: a vacant role, an empty pool, an empty fallback pool, nobody at all. */
export interface Gap {
  kind: 'role-vacant' | 'pool-empty' | 'fallback-empty' | 'no-recipient';
  /** The role or pool concerned (empty for no-recipient). */
  what: string;
}

export interface Resolution {
  recipients: Recipient[];
  gaps: Gap[];
  /** The admins were told because everything else was empty (critical only). */
  toAdmins: boolean;
}

const POOL_ROLE: Record<Pool, PoolRole> = { supervisors: PoolRole.Supervisors, 'on-call': PoolRole.OnCall };

function poolUsers(pools: PoolMembers, pool: Pool): readonly number[] {
  return pool === Pool.Supervisors ? pools.supervisors : pools.onCall;
}

/**
 * Who is told for `spec`: per role, its members on each active episode (the primary only, where the
 * role has one: the primary care coordinator); each pool's users. A vacant role or an empty pool is a
 * gap: the fallback pool (supervisors, then on-call) is told too, flagged. A critical alert never ends
 * with nobody: when even the fallback is empty, the admins are told. Each user once (first reason wins).
 */
export function resolveRecipients(spec: RecipientSpec, team: readonly TeamSeat[], pools: PoolMembers, severity: Severity): Resolution {
  const recipients: Recipient[] = [];
  const gaps: Gap[] = [];
  const seen = new Set<number>();
  const add = (userId: number, role: Recipient['role'], gapReason: string | null) => {
    if (seen.has(userId)) return;
    seen.add(userId);
    recipients.push({ userId, role, gap: gapReason !== null, gapReason });
  };

  for (const role of spec.roles) {
    const seats = team.filter((s) => s.role === role);
    if (seats.length === 0) {
      gaps.push({ kind: 'role-vacant', what: role });
      continue;
    }
    for (const episodeId of new Set(seats.map((s) => s.episodeId))) {
      const onEpisode = seats.filter((s) => s.episodeId === episodeId);
      const primaries = onEpisode.filter((s) => s.isPrimary);
      for (const s of primaries.length ? primaries : onEpisode) add(s.userId, role, null);
    }
  }
  for (const pool of spec.pools) {
    const users = poolUsers(pools, pool);
    if (users.length === 0) gaps.push({ kind: 'pool-empty', what: pool });
    for (const u of users) add(u, POOL_ROLE[pool], null);
  }

  let toAdmins = false;
  // A spec naming nobody (a rule without roles and no policy) counts as a gap too.
  if (gaps.length > 0 || recipients.length === 0) {
    const reason = gaps.map((g) => (g.kind === 'role-vacant' ? `vacant:${g.what}` : `empty:${g.what}`)).join(',') || 'unnamed';
    const fallback = [...pools.supervisors.map((u) => [u, PoolRole.Supervisors] as const), ...pools.onCall.map((u) => [u, PoolRole.OnCall] as const)];
    if (fallback.length === 0) gaps.push({ kind: 'fallback-empty', what: `${Pool.Supervisors},${Pool.OnCall}` });
    for (const [u, role] of fallback) add(u, role, reason);
    if (recipients.length === 0 && severity === 'critical') {
      for (const u of pools.admins) add(u, PoolRole.Admins, reason);
      toAdmins = recipients.length > 0;
    }
  }
  if (recipients.length === 0) gaps.push({ kind: 'no-recipient', what: '' });
  return { recipients, gaps, toAdmins };
}
