import type { NewCareChange } from '../store/care/changes.js';
import { actor as checkActor, instant } from './validate.js';

/** Who makes a change and when: every mutating service takes both, and records them in care_change. */
export interface ChangeContext {
  at: number;
  actor: string;
}

/** Validate `at` and `actor` once per service call. */
export function changeContext(at: number, actor: string): ChangeContext {
  return { at: instant('at', at), actor: checkActor(actor) };
}

export type CareEntity = 'user' | 'episode' | 'team-member' | 'goal' | 'intervention' | 'schedule' | 'visit' | 'task';

/** One care_change row. `detail` carries ids, codes and statuses. */
export function changeRecord(
  ctx: ChangeContext,
  entity: CareEntity,
  entityId: number,
  action: string,
  scope: { patientId?: number | null; episodeId?: number | null },
  detail: Record<string, unknown> = {},
): NewCareChange {
  return { at: ctx.at, actor: ctx.actor, entity, entityId, action, patientId: scope.patientId ?? null, episodeId: scope.episodeId ?? null, detail };
}
