/**
 * The ORU handler: applies one results message inside the transaction that marks its log entry
 * processed (src/ingest/README.md). The decisions are the pure functions beside it (structure,
 * result, interpret, range, value, corrections, summary); this file loads, calls them and writes.
 *
 * Contract, per message:
 * - applied at most once: an entry that already produced observation events (an operator's
 *   reprocess of a processed entry) changes nothing;
 * - each PID group resolves its own patient through identity (demographics not updated: a result's
 *   PID is thin); a group whose PID names no usable identifier (no PID, an empty PID-3, only an SSN)
 *   is skipped, since no patient can safely be found or made for it; the log keeps the message;
 * - per order group (OBR): one clinical event 'observation' at OBR-7 with the order, its notes, its
 *   result statuses and a summary of the results in effect, then one observation row per OBX;
 * - corrections follow corrections.ts: earlier rows are marked superseded or withdrawn, never changed
 *   otherwise or deleted; an earlier event whose results are all withdrawn is withdrawn by the new one.
 */
import type { Kysely } from 'kysely';
import { readMsh, readPid, readPv1 } from '../hl7/index.js';
import type { HandlerInput, MessageHandler } from '../ingest/handlers.js';
import { resolvePatient } from '../identity/resolve.js';
import { patientFromPid } from '../patients/index.js';
import { eventsOfEntry, insertEvent, withdrawEvents } from '../store/events.js';
import { findEncountersByVisit } from '../store/encounters.js';
import { eventsFullyWithdrawn, insertObservation, observationsInEffectForOrder, supersedeObservations, withdrawObservations, type Observation } from '../store/observations.js';
import type { Database } from '../store/schema.js';
import { planCorrection, type CorrectionPlan } from './corrections.js';
import { readOrderResult, type OrderResult, type ResultRecord } from './result.js';
import { oruGroups, type PatientGroup } from './structure.js';
import { summarize } from './summary.js';
import { toObservationRow, withInheritedValue } from './rows.js';

/** The message types this handler applies (ORU_R01 and the point-of-care R30-R32 share the structure). */
export const ORU_MESSAGE_TYPES = ['ORU^R01', 'ORU^R30', 'ORU^R31', 'ORU^R32'] as const;

export interface ApplyOutcome {
  /** The entry had been applied before: nothing was written. */
  alreadyApplied: boolean;
  eventIds: number[];
  observationIds: number[];
  /** PID groups skipped for want of a patient identifier. */
  skippedGroups: number;
}

interface Context {
  entryId: number;
  at: number;
  facility: string | null;
  messageType: string;
  /** MSH-7, else the receipt time: stands in for OBR-7/OBX-14. */
  messageTime: number;
}

export const oruHandler: MessageHandler = {
  name: 'oru-results',
  async handle(trx, input) {
    await applyResults(trx, input);
  },
};

/** Apply one ORU message (see the contract above). `db` is the caller's transaction. */
export async function applyResults(db: Kysely<Database>, input: HandlerInput): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { alreadyApplied: false, eventIds: [], observationIds: [], skippedGroups: 0 };
  if ((await eventsOfEntry(db, input.entryId)).some((e) => e.type === 'observation')) return { ...outcome, alreadyApplied: true };
  const msh = readMsh(input.message);
  const { code, trigger } = input.message.messageType;
  const ctx: Context = {
    entryId: input.entryId,
    at: input.receivedAt,
    facility: msh?.sendingFacility.namespaceId.trim() || null,
    messageType: `${code}^${trigger}`,
    messageTime: msh?.dateTime?.date.getTime() ?? input.receivedAt,
  };
  for (const group of oruGroups(input.message)) {
    if (group.orders.length === 0) continue;
    const patientId = await patientOf(db, group, ctx);
    if (patientId === null) {
      outcome.skippedGroups++;
      continue;
    }
    const encounterId = await encounterOf(db, group, patientId, ctx);
    for (const order of group.orders) {
      const applied = await applyOrder(db, readOrderResult(order, ctx.messageTime), patientId, encounterId, ctx);
      outcome.eventIds.push(applied.eventId);
      outcome.observationIds.push(...applied.observationIds);
    }
  }
  return outcome;
}

async function patientOf(db: Kysely<Database>, group: PatientGroup, ctx: Context): Promise<number | null> {
  const pid = group.pid && readPid(group.pid);
  if (!pid) return null;
  const incoming = patientFromPid(pid, ctx.facility ?? '', ctx.messageTime);
  if (incoming.identifiers.length === 0) return null;
  const resolved = await resolvePatient(db, incoming, { sourceEntryId: ctx.entryId, at: ctx.at, updateDemographics: false });
  return resolved.patientId;
}

/**
 * The patient's encounter with visit number PV1-19 (as ADT files it: per facility and visit number),
 * looked up at the sending facility (MSH-4, what ADT uses), then the location's facility (PV1-3.4),
 * the visit number's authority (PV1-19.4/.6) and the servicing facility (PV1-39): a lab's MSH-4 is
 * often not the hospital's. Null when none is known (ADT may not have told us about the visit).
 */
async function encounterOf(db: Kysely<Database>, group: PatientGroup, patientId: number, ctx: Context): Promise<number | null> {
  const pv1 = group.pv1 && readPv1(group.pv1);
  const visit = pv1?.visitNumber.id.trim();
  if (!pv1 || !visit) return null;
  const facilities = [ctx.facility ?? '', pv1.assignedLocation.facility, pv1.visitNumber.assigningAuthority, pv1.visitNumber.assigningFacility, pv1.servicingFacility]
    .map((f) => f.trim()).filter((f, i, all) => f !== '' && all.indexOf(f) === i);
  for (const facility of facilities) {
    const mine = (await findEncountersByVisit(db, facility, visit)).filter((e) => e.patientId === patientId).pop();
    if (mine) return mine.id;
  }
  return null;
}

const sameKey = (e: Observation, r: ResultRecord): boolean => e.code === r.code && (e.subId ?? '') === (r.subId ?? '');

async function applyOrder(db: Kysely<Database>, read: OrderResult, patientId: number, encounterId: number | null, ctx: Context) {
  const filler = read.order.fillerOrder;
  const codes = [...new Set(read.results.map((r) => r.code).filter((c): c is string => c !== null))];
  const earlier = filler ? await observationsInEffectForOrder(db, patientId, filler, codes, ctx.entryId) : [];
  const byId = new Map(earlier.map((e) => [e.id, e]));
  const planned = read.results.map((r) => {
    const plan: CorrectionPlan = r.code === null ? { kind: 'supersede', replaces: [], inheritFrom: null } : planCorrection(r.resultStatus, earlier.filter((e) => sameKey(e, r)));
    const inherited = plan.kind === 'supersede' && plan.inheritFrom !== null ? byId.get(plan.inheritFrom) : undefined;
    return { plan, result: inherited ? withInheritedValue(r, inherited) : r };
  });
  const inEffect = planned.filter((p) => p.plan.kind === 'supersede').map((p) => p.result);
  const eventId = await insertEvent(db, {
    patientId,
    encounterId,
    type: 'observation',
    occurredAt: read.occurredAt,
    recordedAt: ctx.at,
    facility: ctx.facility,
    sourceEntryId: ctx.entryId,
    messageType: ctx.messageType,
    payload: {
      order: read.order,
      notes: read.notes,
      resultStatuses: [...new Set(read.results.map((r) => r.resultStatus ?? ''))].filter((s) => s !== ''),
      summary: summarize(inEffect),
      replaced: replacedOf(planned, byId),
      late: planned.filter((p) => p.plan.kind === 'late').length,
    },
  });
  const observationIds: number[] = [];
  const withdrawnEvents = new Set<number>();
  for (const { plan, result } of planned) {
    const row = toObservationRow(result, read.order, { patientId, eventId, encounterId, sourceEntryId: ctx.entryId });
    if (plan.kind === 'late') row.supersededBy = { id: plan.supersededBy, at: ctx.at };
    if (plan.kind === 'withdraw') row.withdrawnAt = ctx.at;
    const id = await insertObservation(db, row);
    observationIds.push(id);
    if (plan.kind === 'supersede') await supersedeObservations(db, plan.replaces, id, ctx.at);
    if (plan.kind === 'withdraw') {
      await withdrawObservations(db, plan.withdraws, id, ctx.at);
      for (const w of plan.withdraws) withdrawnEvents.add(byId.get(w)!.eventId);
    }
  }
  await withdrawEvents(db, await eventsFullyWithdrawn(db, [...withdrawnEvents]), eventId, ctx.at);
  return { eventId, observationIds };
}

/** What the order's results replaced, for the event: rules can tell a corrected critical from a new one. */
function replacedOf(planned: readonly { plan: CorrectionPlan; result: ResultRecord }[], byId: ReadonlyMap<number, Observation>) {
  return planned.flatMap(({ plan, result }) => {
    const ids = plan.kind === 'supersede' ? plan.replaces : plan.kind === 'withdraw' ? plan.withdraws : [];
    const how = plan.kind === 'withdraw' ? 'withdrawn' : 'superseded';
    return ids.map((id) => {
      const e = byId.get(id)!;
      return { observationId: id, eventId: e.eventId, code: e.code, how, by: result.resultStatus, value: e.value, interpretation: e.interpretation, newValue: result.value.text, newInterpretation: result.interpretation };
    });
  });
}
