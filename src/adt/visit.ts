/**
 * The visit an ADT message describes, normalized from PV1 (HL7 v2.5.1 §3.4.3), PV2 (§3.4.4) and, for
 * A06/A07, MRG-5 (§3.4.3: the prior visit number when it changes). Pure: no store, no clock.
 * Empty values and the explicit null '""' both read as null (nothing to change).
 */
import { parseHl7Timestamp, readMrg, readPv1, readPv2, type Hl7Message, type Hl7Segment, type Pl, type Xcn } from '../hl7/index.js';

export interface Visit {
  /** A PV1 segment with a valued field besides PV1-1 (set id). */
  present: boolean;
  /** PV1-19.1 visit number. */
  visitNumber: string | null;
  /** MRG-5.1 prior visit number (A06/A07 that renumber the visit). */
  priorVisitNumber: string | null;
  /** PV1-2, table 0004 (E emergency, I inpatient, O outpatient, P preadmit, ...). */
  patientClass: string | null;
  /** PV1-3 assigned location as text (see locationText). */
  location: string | null;
  /** PV1-6 prior location (A02: where the patient was transferred from). */
  priorLocation: string | null;
  /** PV1-42 pending location (pre-admits). */
  pendingLocation: string | null;
  /** PV1-7 first attending doctor as text, and its id (XCN.1). */
  attending: string | null;
  attendingId: string | null;
  /** PV1-10 hospital service (table 0069). */
  hospitalService: string | null;
  /** PV1-4 admission type (table 0007). */
  admissionType: string | null;
  /** PV1-14 admit source (table 0023). */
  admitSource: string | null;
  /** PV1-36 discharge disposition (table 0112). */
  disposition: string | null;
  /** PV1-37.1 discharged to location. */
  dischargedTo: string | null;
  /** PV1-44 admit and PV1-45 discharge date/time, epoch ms. */
  admitTime: number | null;
  dischargeTime: number | null;
  /** PV2-3 admit reason (text, else code). */
  admitReason: string | null;
  /** PV2-8 expected admit date/time (pre-admits). */
  expectedAdmitAt: number | null;
  /** Repairs applied to what the sender wrote (see shiftedAfterVisitNumber). */
  repairs: string[];
}

/** '' and the HL7 explicit null '""' mean "no value" here. */
export function value(s: string): string | null {
  const t = s.trim();
  return t === '' || t === '""' ? null : t;
}

/** A PL as text: point of care/room/bed (the description when those are empty), e.g. 'ICU/4/A'. */
export function locationText(p: Pl): string | null {
  const parts = [p.pointOfCare, p.room, p.bed].map(value).filter((s): s is string => s !== null);
  return parts.length ? parts.join('/') : value(p.description);
}

/** An XCN as text: 'FAMILY, GIVEN (id)', or what of it is valued. */
export function clinicianText(x: Xcn | undefined): string | null {
  if (!x) return null;
  const name = [value(x.family), value(x.given)].filter(Boolean).join(', ');
  const id = value(x.id);
  if (name && id) return `${name} (${id})`;
  return name || id;
}

function time(s: string): number | null {
  const v = value(s);
  const t = v === null ? undefined : parseHl7Timestamp(v);
  return t ? t.date.getTime() : null;
}

/** A DTM of at least minute precision, nothing else. */
function isDateTime(raw: string): boolean {
  return /^\d{12}/.test(raw.trim()) && parseHl7Timestamp(raw) !== undefined;
}

/**
 * A sender one field short after PV1-19 (a field dropped from its PV1 template): PV1-43 (a PL, prior
 * temporary location) then holds the admit time, PV1-44 the discharge time, PV1-35 the disposition.
 * Recognised only when PV1-43 is a bare date/time and PV1-36 and PV1-45 are empty: a PL is never a
 * bare 12-digit date/time, so a conforming PV1 is never misread.
 */
export function shiftedAfterVisitNumber(s: Hl7Segment): boolean {
  return s.fieldRaw(45) === '' && s.fieldRaw(36) === '' && isDateTime(s.fieldRaw(43)) && (s.fieldRaw(44) === '' || isDateTime(s.fieldRaw(44)));
}

function hasContent(s: Hl7Segment): boolean {
  // Letters or digits: a field of separators only ('^^', '~') or '""' is not content.
  for (let n = 2; n <= s.fieldCount; n++) if (value(s.fieldRaw(n)) !== null && /[\p{L}\p{N}]/u.test(s.fieldRaw(n))) return true;
  return false;
}

export function readVisit(message: Hl7Message): Visit {
  const seg = message.segment('PV1');
  const pv1 = readPv1(message);
  const pv2 = readPv2(message);
  const shifted = seg !== undefined && shiftedAfterVisitNumber(seg);
  const at = (n: number) => (seg ? seg.get(n) : '');
  return {
    present: seg !== undefined && hasContent(seg),
    visitNumber: value(pv1?.visitNumber.id ?? ''),
    priorVisitNumber: value(readMrg(message)?.priorVisitNumber.id ?? ''),
    patientClass: value(pv1?.patientClass ?? '')?.toUpperCase() ?? null,
    location: pv1 ? locationText(pv1.assignedLocation) : null,
    priorLocation: pv1 ? locationText(pv1.priorLocation) : null,
    pendingLocation: pv1 && !shifted ? locationText(pv1.pendingLocation) : null,
    attending: clinicianText(pv1?.attendingDoctors[0]),
    attendingId: value(pv1?.attendingDoctors[0]?.id ?? ''),
    hospitalService: value(pv1?.hospitalService ?? ''),
    admissionType: value(pv1?.admissionType ?? ''),
    admitSource: value(pv1?.admitSource ?? ''),
    disposition: value(shifted ? at(35) : at(36)),
    dischargedTo: value(shifted ? at(36) : at(37)),
    admitTime: time(shifted ? at(43) : at(44)),
    dischargeTime: time(shifted ? at(44) : at(45)),
    admitReason: value(pv2?.admitReason.text ?? '') ?? value(pv2?.admitReason.identifier ?? ''),
    expectedAdmitAt: pv2?.expectedAdmitTime ? pv2.expectedAdmitTime.date.getTime() : null,
    repairs: shifted ? ['PV1 fields after PV1-19 read one position earlier (PV1-43 held a date/time)'] : [],
  };
}
