import type { Selectable } from 'kysely';
import type { CareChangeTable } from '../schema.js';
import type { CareDb } from './db.js';

export type { CareChangeTable } from '../schema.js';

export interface CareChange {
  id: number;
  at: number;
  actor: string;
  entity: string;
  entityId: number;
  action: string;
  patientId: number | null;
  episodeId: number | null;
  detail: Record<string, unknown>;
}

export type NewCareChange = Omit<CareChange, 'id'>;


/** Record changes, in the caller's transaction. */
export async function recordChanges(db: CareDb, changes: readonly NewCareChange[]): Promise<void> {
  if (changes.length === 0) return;
  const rows = changes.map((c) => ({
    at: c.at, actor: c.actor, entity: c.entity, entity_id: c.entityId, action: c.action,
    patient_id: c.patientId, episode_id: c.episodeId, detail: JSON.stringify(c.detail),
  }));
  for (let i = 0; i < rows.length; i += 50) await db.insertInto('care_change').values(rows.slice(i, i + 50)).execute();
}

export interface ChangeFilter {
  episodeId?: number | undefined;
  patientId?: number | undefined;
  entity?: { entity: string; id: number } | undefined;
  limit?: number | undefined;
}

/** Changes matching every given filter, newest first. */
export async function listChanges(db: CareDb, filter: ChangeFilter): Promise<CareChange[]> {
  let q = db.selectFrom('care_change').selectAll();
  if (filter.episodeId !== undefined) q = q.where('episode_id', '=', filter.episodeId);
  if (filter.patientId !== undefined) q = q.where('patient_id', '=', filter.patientId);
  if (filter.entity) q = q.where('entity', '=', filter.entity.entity).where('entity_id', '=', filter.entity.id);
  const rows = await q.orderBy('id', 'desc').limit(filter.limit ?? 100).execute();
  return rows.map(toCareChange);
}

function toCareChange(r: Selectable<CareChangeTable>): CareChange {
  return {
    id: Number(r.id), at: Number(r.at), actor: r.actor, entity: r.entity, entityId: Number(r.entity_id), action: r.action,
    patientId: r.patient_id === null ? null : Number(r.patient_id), episodeId: r.episode_id === null ? null : Number(r.episode_id),
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}
