/**
 * Between a read result and a stored observation row. Pure.
 */
import type { NewObservation, Observation } from '../store/observations.js';
import type { Interpretation } from './interpret.js';
import type { Comparator } from './range.js';
import type { OrderInfo, ResultRecord } from './result.js';

export interface RowIds {
  patientId: number;
  eventId: number;
  encounterId: number | null;
  sourceEntryId: number;
}

/** The observation row for one result of `order`. */
export function toObservationRow(r: ResultRecord, order: OrderInfo, ids: RowIds): NewObservation {
  return {
    ...ids,
    orderCode: order.code,
    orderText: order.text,
    fillerOrder: order.fillerOrder,
    setId: r.setId,
    subId: r.subId,
    code: r.code,
    codeSystem: r.codeSystem,
    codeText: r.codeText,
    valueType: r.valueType,
    value: r.value.text,
    valueNum: r.value.num,
    valueComparator: r.value.comparator,
    valueCode: r.value.code,
    valueCodeSystem: r.value.codeSystem,
    valueTime: r.value.time,
    units: r.units,
    referenceRange: r.referenceRange,
    rangeLow: r.range?.low?.value ?? null,
    rangeHigh: r.range?.high?.value ?? null,
    abnormalFlags: r.abnormalFlags,
    interpretation: r.interpretation,
    outOfRange: r.outOfRange,
    resultStatus: r.resultStatus,
    observedAt: r.observedAt,
    notes: r.notes,
  };
}

/**
 * A U result (table 0085: "status change to final without retransmitting results already sent as
 * preliminary") that carries no value takes the value, units, range and flags of the result it
 * finalises, so the final row stands on its own. One that carries a value keeps its own.
 */
export function withInheritedValue(r: ResultRecord, from: Observation): ResultRecord {
  if (r.value.text !== null) return r;
  return {
    ...r,
    valueType: r.valueType ?? from.valueType,
    value: {
      text: from.value,
      num: from.valueNum,
      comparator: from.valueComparator as Comparator | null,
      code: from.valueCode,
      codeSystem: from.valueCodeSystem,
      time: from.valueTime,
    },
    units: r.units ?? from.units,
    referenceRange: r.referenceRange ?? from.referenceRange,
    range: r.range ?? (from.rangeLow === null && from.rangeHigh === null ? null : {
      low: from.rangeLow === null ? null : { value: from.rangeLow, inclusive: true },
      high: from.rangeHigh === null ? null : { value: from.rangeHigh, inclusive: true },
    }),
    abnormalFlags: r.abnormalFlags.length ? r.abnormalFlags : from.abnormalFlags,
    interpretation: r.abnormalFlags.length ? r.interpretation : (from.interpretation as Interpretation | null),
    outOfRange: r.outOfRange ?? from.outOfRange,
  };
}
