/** Test helpers: clinical events and context inputs built with defaults. */
import type { ClinicalEvent } from '../store/events.js';
import type { ContextInput } from './context.js';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 10, 1, 8, 0);

let nextId = 1000;
export function event(over: Partial<ClinicalEvent> & { type: ClinicalEvent['type'] }): ClinicalEvent {
  return {
    id: ++nextId,
    patientId: 1,
    encounterId: 10,
    occurredAt: T0,
    recordedAt: T0,
    facility: 'GENHOSP',
    sourceEntryId: 1,
    messageType: 'ADT^A01',
    payload: {},
    outOfOrder: false,
    withdrawnAt: null,
    withdrawnBy: null,
    ...over,
  };
}

export function input(e: ClinicalEvent, over: Partial<ContextInput> = {}): ContextInput {
  return {
    event: e,
    encounter: e.encounterId === null ? null : { facility: e.facility ?? '', patientClass: 'I', status: 'in-progress', hospitalService: null, admittedAt: e.occurredAt },
    patient: { birthDate: '1950-01-01', sex: 'F', deceased: false },
    episodeTypes: [],
    priorDischarges: [],
    recentVisitEvents: [],
    encounterClasses: new Map(),
    ...over,
  };
}
