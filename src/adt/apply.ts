/**
 * The ADT use case: one message's effects, applied through the ingest transaction that also marks the
 * message processed (so they commit together or not at all). The decisions are pure (read.ts,
 * encounter-state.ts, death.ts, records.ts); this file loads, decides and writes.
 */
import type { Kysely } from 'kysely';
import { resolvePatient } from '../identity/resolve.js';
import type { HandlerInput } from '../ingest/handlers.js';
import { IngestError, ProcessErrorCode } from '../ingest/retry.js';
import { activeEventIds, applyCoverageChange, insertDiagnoses, listCoverage, listDiagnoses } from '../store/clinical-records.js';
import { saveEncounterState } from '../store/encounters.js';
import { eventsOfEntry, insertEvent, listEncounterEvents, withdrawEvents, type ClinicalEvent, type NewClinicalEvent } from '../store/events.js';
import { getPatient, setPatientStatus } from '../store/patients.js';
import type { Database } from '../store/schema.js';
import { deathOf } from './death.js';
import { cancelTarget, foldEncounter, isOutOfOrder } from './encounter-state.js';
import { locateEncounter, type Located } from './locate.js';
import { readAdt, visitPayload, type AdtMessage } from './read.js';
import { newDiagnoses, planCoverage } from './records.js';

/** What applying one message did (for tests and logs; the effects are in the store). */
export type AdtOutcome =
  | { status: 'applied'; patientId: number; encounterId: number | null; eventIds: number[] }
  /** The entry's events already exist: an operator's reprocess of an applied message changes nothing. */
  | { status: 'already-applied' }
  /** No PID, or a PID with neither identifier nor name: nothing can be attached to a patient. */
  | { status: 'no-patient' };

interface Context {
  trx: Kysely<Database>;
  m: AdtMessage;
  entryId: number;
  now: number;
  patientId: number;
  located: Located | undefined;
  /** The encounter's events before this message, withdrawn ones included. */
  before: ClinicalEvent[];
}

/** Apply one ADT message (`now`: the processing time, recorded_at of its events). */
export async function applyAdt(trx: Kysely<Database>, input: HandlerInput, now: number): Promise<AdtOutcome> {
  const m = readAdt(input.message, input.receivedAt);
  if (!m) throw new IngestError(ProcessErrorCode.InvalidContent, `ADT trigger ${input.message.messageType.trigger} is not applied by adt/`);
  if ((await eventsOfEntry(trx, input.entryId)).length > 0) return { status: 'already-applied' };
  if (!m.patient || (m.patient.identifiers.length === 0 && m.patient.demographics.names.length === 0)) return { status: 'no-patient' };
  const resolved = await resolvePatient(trx, m.patient, { sourceEntryId: input.entryId, at: now, updateDemographics: true });
  const located = await locateEncounter(trx, m, resolved.patientId, now);
  const before = located ? await listEncounterEvents(trx, located.encounter.id) : [];
  const ctx: Context = { trx, m, entryId: input.entryId, now, patientId: resolved.patientId, located, before };
  const eventIds = [m.trigger.cancels ? await recordCancel(ctx) : await recordVisitEvent(ctx, resolved.via)];
  const deathId = await recordDeath(ctx);
  if (deathId !== undefined) eventIds.push(deathId);
  if (!m.trigger.cancels) await recordDiagnoses(ctx);
  await recordCoverage(ctx);
  if (located) {
    const state = foldEncounter(await listEncounterEvents(trx, located.encounter.id));
    await saveEncounterState(trx, located.encounter.id, state, now, located.renumberTo);
  }
  return { status: 'applied', patientId: resolved.patientId, encounterId: located?.encounter.id ?? null, eventIds };
}

function eventBase(ctx: Context): Omit<NewClinicalEvent, 'type' | 'payload'> {
  return {
    patientId: ctx.patientId,
    encounterId: ctx.located?.encounter.id ?? null,
    occurredAt: ctx.m.occurredAt,
    recordedAt: ctx.now,
    facility: ctx.m.facility || null,
    sourceEntryId: ctx.entryId,
    messageType: ctx.m.messageType,
    outOfOrder: isOutOfOrder(ctx.before, ctx.m.occurredAt),
  };
}

async function recordVisitEvent(ctx: Context, via: string): Promise<number> {
  const { m, located } = ctx;
  // A08 without an encounter updates the person only.
  const type = m.trigger.eventType === 'visit-update' && !located ? 'demographics-update' : m.trigger.eventType;
  const payload: Record<string, unknown> = type === 'person-add' || type === 'demographics-update' ? { trigger: m.trigger.trigger, eventTimeSource: m.timeSource } : visitPayload(m);
  if (via !== 'identifier') payload.patientVia = via;
  if (located?.visitHeldBy) payload.visitHeldBy = located.visitHeldBy;
  if (located?.renumberTo) payload.renumberedFrom = located.encounter.visitNumber;
  return insertEvent(ctx.trx, { ...eventBase(ctx), type, payload });
}

/**
 * A cancel withdraws the latest not withdrawn event it cancels (and, for a discharge, a death that
 * rested on that discharge's disposition alone). It closes nothing it did not open: with no such
 * event (an unknown visit, an admit already withdrawn) it is recorded with matched false and
 * changes nothing else.
 */
async function recordCancel(ctx: Context): Promise<number> {
  const { m, before } = ctx;
  const target = ctx.located ? cancelTarget(before, m.trigger.cancels!) : undefined;
  const payload = { ...visitPayload(m), matched: target !== undefined, ...(target ? { cancels: target.id } : {}) };
  const id = await insertEvent(ctx.trx, { ...eventBase(ctx), type: m.trigger.eventType, payload });
  if (!target) return id;
  const deaths = before.filter((e) => e.type === 'death' && e.withdrawnAt === null && e.sourceEntryId === target.sourceEntryId && e.payload.basis === 'disposition');
  await withdrawEvents(ctx.trx, [target.id, ...deaths.map((e) => e.id)], id, ctx.now);
  if (deaths.length) await reviveIfNoDeathRemains(ctx);
  return id;
}

/** Death is recorded once per patient; the patient becomes deceased (a staging patient keeps its status for the reviewer). */
async function recordDeath(ctx: Context): Promise<number | undefined> {
  const { m } = ctx;
  const death = deathOf({ pid: m.pidDeath, isDischarge: m.trigger.eventType === 'discharge', disposition: m.visit.disposition, dischargeTime: m.visit.dischargeTime, occurredAt: m.occurredAt });
  if (!death) return undefined;
  const patient = await getPatient(ctx.trx, ctx.patientId);
  if (patient?.status === 'active') await setPatientStatus(ctx.trx, ctx.patientId, 'deceased', ctx.now);
  if ((await activeEventIds(ctx.trx, ctx.patientId, 'death')).length > 0) return undefined;
  const payload = { basis: death.basis, timeSource: death.timeSource, ...(death.disposition ? { disposition: death.disposition } : {}) };
  return insertEvent(ctx.trx, { ...eventBase(ctx), type: 'death', occurredAt: death.at, outOfOrder: isOutOfOrder(ctx.before, death.at), payload });
}

/** After a cancelled expired discharge: deceased again only if another death or PID still says so. */
async function reviveIfNoDeathRemains(ctx: Context): Promise<void> {
  const patient = await getPatient(ctx.trx, ctx.patientId);
  if (patient?.status !== 'deceased' || patient.demographics.deceased) return;
  if ((await activeEventIds(ctx.trx, ctx.patientId, 'death')).length === 0) await setPatientStatus(ctx.trx, ctx.patientId, 'active', ctx.now);
}

async function recordDiagnoses(ctx: Context): Promise<void> {
  if (ctx.m.diagnoses.length === 0) return;
  const encounterId = ctx.located?.encounter.id ?? null;
  const existing = await listDiagnoses(ctx.trx, ctx.patientId, encounterId);
  await insertDiagnoses(ctx.trx, ctx.patientId, encounterId, newDiagnoses(existing, ctx.m.diagnoses), ctx.entryId);
}

/** A message with IN1 states the whole coverage, unless the stored coverage is newer (by event time). */
async function recordCoverage(ctx: Context): Promise<void> {
  if (ctx.m.coverage.length === 0) return;
  const existing = await listCoverage(ctx.trx, ctx.patientId);
  if (existing.some((c) => c.updatedAt > ctx.m.occurredAt)) return;
  await applyCoverageChange(ctx.trx, ctx.patientId, planCoverage(existing, ctx.m.coverage), { sourceEntryId: ctx.entryId, asOf: ctx.m.occurredAt });
}
