import { AuditAction } from '../audit/index.js';
import type { AssignablePatient } from './care-records.js';
import type { Door } from './door.js';
import { AccessError, AccessErrorCode, forbidden } from './errors.js';
import { decodePageKey, pageOf, type Page, type PageRequest } from './page-cursor.js';
import { can, Permission } from './policy.js';

/** An identifier (MRN value, optionally its assigning authority), or a family name with a birth date: never a browse. */
export interface AssignmentSearch {
  identifier?: string | undefined;
  authority?: string | undefined;
  familyName?: string | undefined;
  birthDate?: string | undefined;
}

/**
 * Find patients to assign a care team to (ManageCareTeams only): names, birth date, MRNs and the
 * episodes a team can be put on, nothing clinical; merge tombstones left out; by id, paginated.
 * Audited as a search with its criteria and the patients returned. The identifier lookup is indexed;
 * the name lookup reads the patients table (exact birth date, family name without regard to case).
 */
export async function findAssignablePatients(door: Door, search: AssignmentSearch, page: PageRequest): Promise<Page<AssignablePatient>> {
  if (!can(door.caller.roles, Permission.ManageCareTeams)) throw forbidden('finding patients for care-team assignment is for care-team administrators');
  const criteria = criteriaOf(search);
  const after = page.cursor === undefined ? 0 : decodePageKey(page.cursor, 1)[0] ?? 0;
  let q = door.db.selectFrom('patient').select(['id', 'status', 'family_name', 'given_name', 'birth_date']).where('status', '!=', 'merged').where('id', '>', after);
  if (criteria.identifier !== undefined) {
    let ids = door.db.selectFrom('patient_identifier').select('patient_id').where('value', '=', criteria.identifier);
    if (criteria.authority !== undefined) ids = ids.where('authority', '=', criteria.authority);
    q = q.where('id', 'in', ids);
  } else {
    q = q.where('birth_date', '=', criteria.birthDate!).where((eb) => eb(eb.fn('lower', ['family_name']), '=', criteria.familyName!.toLowerCase()));
  }
  const rows = await q.orderBy('id').limit(page.limit + 1).execute();
  const result = pageOf(rows, page.limit, (r) => [Number(r.id)], (r): AssignablePatient => ({
    id: Number(r.id), status: r.status, familyName: r.family_name, givenName: r.given_name, birthDate: r.birth_date, mrns: [], episodes: [],
  }));
  await attachMrnsAndEpisodes(door, result.items);
  door.audit({ action: AuditAction.Search, entityType: 'patient', detail: { purpose: 'care-team-assignment', criteria: { ...criteria }, patients: result.items.map((p) => p.id) } });
  return result;
}

function criteriaOf(s: AssignmentSearch): AssignmentSearch {
  const text = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const identifier = text(s.identifier);
  if (identifier !== undefined) return { identifier, ...(text(s.authority) ? { authority: text(s.authority) } : {}) };
  const familyName = text(s.familyName);
  const birthDate = text(s.birthDate);
  if (familyName !== undefined && birthDate !== undefined) return { familyName, birthDate };
  throw new AccessError(AccessErrorCode.InvalidSearch, 'search by identifier, or by familyName together with birthDate');
}

async function attachMrnsAndEpisodes(door: Door, patients: AssignablePatient[]): Promise<void> {
  if (patients.length === 0) return;
  const byId = new Map(patients.map((p) => [p.id, p]));
  const ids = [...byId.keys()];
  const mrns = await door.db.selectFrom('patient_identifier').select(['patient_id', 'authority', 'value'])
    .where('patient_id', 'in', ids).where('type_code', '=', 'MR').orderBy('id').execute();
  for (const m of mrns) byId.get(Number(m.patient_id))!.mrns.push({ authority: m.authority, value: m.value });
  const episodes = await door.db.selectFrom('care_episode').select(['id', 'patient_id', 'episode_type', 'status', 'start_at'])
    .where('patient_id', 'in', ids).where('status', 'in', ['planned', 'active', 'on-hold']).orderBy('start_at', 'desc').orderBy('id', 'desc').execute();
  for (const e of episodes) byId.get(Number(e.patient_id))!.episodes.push({ id: Number(e.id), type: e.episode_type, status: e.status, startAt: Number(e.start_at) });
}
