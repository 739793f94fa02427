import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, ObservationTable } from './schema.js';

/**
 * Observations (lab results, vitals): one row per OBX, referencing the order's clinical event.
 * A row is "in effect" when it is neither superseded (a later result for the same order and code
 * replaced it) nor withdrawn (W/D); replaced rows are kept, never deleted or rewritten.
 */

export interface NewObservation {
  patientId: number;
  eventId: number;
  encounterId: number | null;
  orderCode: string | null;
  orderText: string | null;
  fillerOrder: string | null;
  setId: string | null;
  subId: string | null;
  code: string | null;
  codeSystem: string | null;
  codeText: string | null;
  valueType: string | null;
  value: string | null;
  valueNum: number | null;
  valueComparator: string | null;
  valueCode: string | null;
  valueCodeSystem: string | null;
  valueTime: number | null;
  units: string | null;
  referenceRange: string | null;
  rangeLow: number | null;
  rangeHigh: number | null;
  /** OBX-8 as sent, one entry per repetition (stored joined by '~', as HL7 repeats them: "LL~C"). */
  abnormalFlags: string[];
  interpretation: string | null;
  outOfRange: boolean | null;
  resultStatus: string | null;
  observedAt: number;
  notes: string | null;
  sourceEntryId: number | null;
  /** Stored already superseded (a late preliminary) or withdrawn (the W/D row itself). */
  supersededBy?: { id: number; at: number };
  withdrawnAt?: number;
}

export interface Observation extends Omit<NewObservation, 'supersededBy' | 'withdrawnAt'> {
  id: number;
  supersededAt: number | null;
  supersededBy: number | null;
  withdrawnAt: number | null;
  withdrawnBy: number | null;
}

type Row = Selectable<ObservationTable>;

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function toObservation(r: Row): Observation {
  return {
    id: Number(r.id),
    patientId: Number(r.patient_id),
    eventId: Number(r.event_id),
    encounterId: num(r.encounter_id),
    orderCode: r.order_code,
    orderText: r.order_text,
    fillerOrder: r.filler_order,
    setId: r.set_id,
    subId: r.sub_id,
    code: r.code,
    codeSystem: r.code_system,
    codeText: r.code_text,
    valueType: r.value_type,
    value: r.value,
    valueNum: num(r.value_num),
    valueComparator: r.value_comparator,
    valueCode: r.value_code,
    valueCodeSystem: r.value_code_system,
    valueTime: num(r.value_time),
    units: r.units,
    referenceRange: r.reference_range,
    rangeLow: num(r.range_low),
    rangeHigh: num(r.range_high),
    abnormalFlags: r.abnormal_flags ? r.abnormal_flags.split('~') : [],
    interpretation: r.interpretation,
    outOfRange: r.out_of_range === null ? null : Number(r.out_of_range) === 1,
    resultStatus: r.result_status,
    observedAt: Number(r.observed_at),
    notes: r.notes,
    sourceEntryId: num(r.source_entry_id),
    supersededAt: num(r.superseded_at),
    supersededBy: num(r.superseded_by),
    withdrawnAt: num(r.withdrawn_at),
    withdrawnBy: num(r.withdrawn_by),
  };
}

/** Insert one observation; returns its id. */
export async function insertObservation(db: Kysely<Database>, o: NewObservation): Promise<number> {
  const row = await db
    .insertInto('observation')
    .values({
      patient_id: o.patientId,
      event_id: o.eventId,
      encounter_id: o.encounterId,
      order_code: o.orderCode,
      order_text: o.orderText,
      filler_order: o.fillerOrder,
      set_id: o.setId,
      sub_id: o.subId,
      code: o.code,
      code_system: o.codeSystem,
      code_text: o.codeText,
      value_type: o.valueType,
      value: o.value,
      value_num: o.valueNum,
      value_comparator: o.valueComparator,
      value_code: o.valueCode,
      value_code_system: o.valueCodeSystem,
      value_time: o.valueTime,
      units: o.units,
      reference_range: o.referenceRange,
      range_low: o.rangeLow,
      range_high: o.rangeHigh,
      abnormal_flags: o.abnormalFlags.length ? o.abnormalFlags.join('~') : null,
      interpretation: o.interpretation,
      out_of_range: o.outOfRange === null ? null : o.outOfRange ? 1 : 0,
      result_status: o.resultStatus,
      observed_at: o.observedAt,
      notes: o.notes,
      source_entry_id: o.sourceEntryId,
      superseded_at: o.supersededBy?.at ?? null,
      superseded_by: o.supersededBy?.id ?? null,
      withdrawn_at: o.withdrawnAt ?? null,
      withdrawn_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Mark rows replaced by observation `by`; rows already replaced or withdrawn keep their first mark. */
export async function supersedeObservations(db: Kysely<Database>, ids: readonly number[], by: number, at: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('observation').set({ superseded_at: at, superseded_by: by }).where('id', 'in', [...ids])
    .where('superseded_at', 'is', null).where('withdrawn_at', 'is', null).execute();
}

/** Mark rows withdrawn by observation `by` (a W/D result); rows already withdrawn keep their first mark. */
export async function withdrawObservations(db: Kysely<Database>, ids: readonly number[], by: number, at: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('observation').set({ withdrawn_at: at, withdrawn_by: by }).where('id', 'in', [...ids])
    .where('withdrawn_at', 'is', null).execute();
}

/**
 * The rows in effect for one patient, filler order and codes, from log entries other than
 * `exceptEntryId`: what a new result of that order may correct or withdraw.
 */
export async function observationsInEffectForOrder(
  db: Kysely<Database>,
  patientId: number,
  fillerOrder: string,
  codes: readonly string[],
  exceptEntryId: number | null,
): Promise<Observation[]> {
  if (codes.length === 0) return [];
  let q = db.selectFrom('observation').selectAll().where('patient_id', '=', patientId).where('filler_order', '=', fillerOrder)
    .where('code', 'in', [...codes]).where('superseded_at', 'is', null).where('withdrawn_at', 'is', null);
  if (exceptEntryId !== null) q = q.where((eb) => eb.or([eb('source_entry_id', 'is', null), eb('source_entry_id', '!=', exceptEntryId)]));
  return (await q.orderBy('id').execute()).map(toObservation);
}

/** The observations of one order event, in message order, replaced ones included. */
export async function listEventObservations(db: Kysely<Database>, eventId: number): Promise<Observation[]> {
  const rows = await db.selectFrom('observation').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
  return rows.map(toObservation);
}

/** The observations a log entry produced (reprocessing and tests read them). */
export async function listEntryObservations(db: Kysely<Database>, entryId: number): Promise<Observation[]> {
  const rows = await db.selectFrom('observation').selectAll().where('source_entry_id', '=', entryId).orderBy('id').execute();
  return rows.map(toObservation);
}

export interface TrendOptions {
  /** Code system (OBX-3.3) when the code alone is ambiguous. */
  codeSystem?: string;
  since?: number;
  until?: number;
  /** Replaced and withdrawn rows too (an audit view); default: only those in effect. */
  includeReplaced?: boolean;
  limit?: number;
}

/** A lab trend: one patient's results for a code (OBX-3.1) over time, oldest first. */
export async function listObservationTrend(db: Kysely<Database>, patientId: number, code: string, opts: TrendOptions = {}): Promise<Observation[]> {
  let q = db.selectFrom('observation').selectAll().where('patient_id', '=', patientId).where('code', '=', code);
  if (opts.codeSystem !== undefined) q = q.where('code_system', '=', opts.codeSystem);
  if (opts.since !== undefined) q = q.where('observed_at', '>=', opts.since);
  if (opts.until !== undefined) q = q.where('observed_at', '<', opts.until);
  if (!opts.includeReplaced) q = q.where('superseded_at', 'is', null).where('withdrawn_at', 'is', null);
  const rows = await q.orderBy('observed_at').orderBy('id').limit(opts.limit ?? 10_000).execute();
  return rows.map(toObservation);
}

/**
 * The latest result in effect per code (code system + code) for a patient, by observation time (ties:
 * the later recorded), ordered by code. `codes` restricts it; `since` ignores older results.
 */
export async function latestObservations(db: Kysely<Database>, patientId: number, opts: { codes?: readonly string[]; since?: number } = {}): Promise<Observation[]> {
  if (opts.codes && opts.codes.length === 0) return [];
  let inner = db.selectFrom('observation').selectAll()
    .select(sql<number>`row_number() over (partition by coalesce(code_system, ''), code order by observed_at desc, id desc)`.as('rn'))
    .where('patient_id', '=', patientId).where('code', 'is not', null).where('superseded_at', 'is', null).where('withdrawn_at', 'is', null);
  if (opts.codes) inner = inner.where('code', 'in', [...opts.codes]);
  if (opts.since !== undefined) inner = inner.where('observed_at', '>=', opts.since);
  const rows = await db.selectFrom(inner.as('o')).selectAll().where('rn', '=', 1).orderBy('code').orderBy('code_system').execute();
  return rows.map((r) => toObservation(r as Row));
}

/** Of the given events, those whose observations are all withdrawn (their timeline entry is void). */
export async function eventsFullyWithdrawn(db: Kysely<Database>, eventIds: readonly number[]): Promise<number[]> {
  if (eventIds.length === 0) return [];
  const rows = await db.selectFrom('observation').select('event_id')
    .select(sql<number>`sum(case when withdrawn_at is null then 1 else 0 end)`.as('kept'))
    .where('event_id', 'in', [...eventIds]).groupBy('event_id').execute();
  return rows.filter((r) => Number(r.kept) === 0).map((r) => Number(r.event_id));
}
