/**
 * One order group read into what is stored: the order (OBR, HL7 v2.5.1 §7.4.1), its notes, and each
 * result (OBX §7.4.2 with its NTE §2.14.10) with value, range, flags and interpretation. Pure: times
 * that the message does not give come from the caller.
 */
import { readObr, readObx, readNte, type Ei, type Hl7Segment, type Hl7Timestamp } from '../hl7/index.js';
import { interpretFlags, type Interpretation } from './interpret.js';
import { isOutOfRange, parseReferenceRange, type ReferenceRange } from './range.js';
import type { OrderGroup, ResultGroup } from './structure.js';
import { observationValue, type ObservationValue } from './value.js';

export interface OrderInfo {
  setId: string | null;
  /** OBR-4 universal service identifier. */
  code: string | null;
  codeSystem: string | null;
  text: string | null;
  /** OBR-2 (else ORC-2) as "id^namespace" (namespace only when sent). */
  placerOrder: string | null;
  /** OBR-3 (else ORC-3) as "id^namespace": with the result code, what a correction refers to. */
  fillerOrder: string | null;
  /** OBR-25 result status, table 0123 (F, P, C, X...). */
  status: string | null;
  /** OBR-7 observation date/time, epoch ms. */
  observedAt: number | null;
}

export interface ResultRecord {
  setId: string | null;
  /** OBX-4: tells apart several results with the same code in one order. */
  subId: string | null;
  code: string | null;
  codeSystem: string | null;
  codeText: string | null;
  /** OBX-2, table 0125. */
  valueType: string | null;
  value: ObservationValue;
  units: string | null;
  referenceRange: string | null;
  range: ReferenceRange | null;
  /** OBX-8 as sent (every repetition). */
  abnormalFlags: string[];
  interpretation: Interpretation | null;
  outOfRange: boolean | null;
  /** OBX-11, table 0085. */
  resultStatus: string | null;
  observedAt: number;
  notes: string | null;
}

export interface OrderResult {
  order: OrderInfo;
  /** OBR-7, else the earliest OBX-14, else the message's fallback time. */
  occurredAt: number;
  notes: string | null;
  results: ResultRecord[];
}

/** Trimmed text, or null for nothing: empty, or HL7's explicit null '""' (HL7 v2.5.1 ch. 2: "" deletes a value). */
export function orNull(s: string | undefined): string | null {
  const t = (s ?? '').trim();
  return t === '' || t === '""' ? null : t;
}

function epoch(t: Hl7Timestamp | undefined): number | null {
  return t ? t.date.getTime() : null;
}

/** An order number (EI) as one string: "id" or "id^namespace". */
export function orderNumber(ei: Ei): string | null {
  const id = orNull(ei.entityId);
  if (id === null) return null;
  const ns = orNull(ei.namespaceId);
  return ns === null ? id : `${id}^${ns}`;
}

function orcNumber(orc: Hl7Segment | undefined, field: number): string | null {
  if (!orc) return null;
  return orderNumber({ entityId: orc.get(field, 1, 1), namespaceId: orc.get(field, 1, 2), universalId: '', universalIdType: '' });
}

/** NTE-3 comments, one line each; blank lines at either end dropped; null when nothing is left. */
export function noteText(ntes: readonly Hl7Segment[]): string | null {
  const lines = ntes.flatMap((s) => readNte(s)?.comments ?? []).map((l) => (l.trim() === '""' ? '' : l.trimEnd()));
  while (lines.length && lines[0]!.trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.length ? lines.join('\n') : null;
}

function readOrder(group: OrderGroup): OrderInfo {
  const obr = group.obr ? readObr(group.obr) : undefined;
  return {
    setId: orNull(obr?.setId),
    code: orNull(obr?.universalServiceId.identifier) ?? orNull(obr?.universalServiceId.alternateIdentifier),
    codeSystem: orNull(obr?.universalServiceId.identifier ? obr.universalServiceId.codingSystem : obr?.universalServiceId.alternateCodingSystem),
    text: orNull(obr?.universalServiceId.text) ?? orNull(obr?.universalServiceId.alternateText),
    placerOrder: (obr && orderNumber(obr.placerOrderNumber)) ?? orcNumber(group.orc, 2),
    fillerOrder: (obr && orderNumber(obr.fillerOrderNumber)) ?? orcNumber(group.orc, 3),
    status: orNull(obr?.resultStatus),
    observedAt: epoch(obr?.observationTime),
  };
}

function readResult(group: ResultGroup, orderTime: number): ResultRecord {
  const obx = readObx(group.obx)!;
  const value = observationValue(obx);
  const range = parseReferenceRange(obx.referenceRange);
  const flags = obx.abnormalFlagsCoded.map((f) => f.identifier.trim() || f.text.trim()).filter((f) => f !== '');
  const identified = orNull(obx.identifier.identifier);
  return {
    setId: orNull(obx.setId),
    subId: orNull(obx.subId),
    code: identified ?? orNull(obx.identifier.alternateIdentifier),
    codeSystem: orNull(identified ? obx.identifier.codingSystem : obx.identifier.alternateCodingSystem),
    codeText: orNull(obx.identifier.text) ?? orNull(obx.identifier.alternateText),
    valueType: orNull(obx.valueType),
    value,
    units: orNull(obx.units.identifier) ?? orNull(obx.units.text),
    referenceRange: orNull(obx.referenceRange),
    range,
    abnormalFlags: flags,
    interpretation: interpretFlags(flags),
    outOfRange: isOutOfRange(value.num, value.comparator, range),
    resultStatus: orNull(obx.resultStatus)?.toUpperCase() ?? null,
    observedAt: epoch(obx.observationTime) ?? orderTime,
    notes: noteText(group.notes),
  };
}

/**
 * Read one order group. `fallbackTime` is MSH-7, else the time the message was received: it stands
 * in for OBR-7 and OBX-14 when neither is sent (a result's time is OBX-14, else OBR-7, else it).
 */
export function readOrderResult(group: OrderGroup, fallbackTime: number): OrderResult {
  const order = readOrder(group);
  const results = group.results.map((r) => readResult(r, order.observedAt ?? fallbackTime));
  const obxTimes = group.results.map((r) => epoch(readObx(r.obx)?.observationTime)).filter((t): t is number => t !== null);
  const occurredAt = order.observedAt ?? (obxTimes.length ? Math.min(...obxTimes) : fallbackTime);
  return { order, occurredAt, notes: noteText(group.notes), results };
}
