/**
 * Visit segments: PV1 (HL7 v2.5.1 §3.4.3) and PV2 (§3.4.4). Values unescaped.
 */
import type { Hl7Message } from '../message.js';
import type { Hl7Segment } from '../segment.js';
import type { Hl7Timestamp } from '../timestamp.js';
import { cwe, cx, pick, rep, reps, ts, xcn, pl, type Cwe, type Cx, type Pl, type TimeOptions, type Xcn } from './datatypes.js';

export interface Pv1 {
  setId: string;
  /** PV1-2, table 0004: E emergency, I inpatient, O outpatient, P preadmit, R recurring, B obstetrics... */
  patientClass: string;
  assignedLocation: Pl;
  admissionType: string;
  priorLocation: Pl;
  attendingDoctors: Xcn[];
  referringDoctors: Xcn[];
  consultingDoctors: Xcn[];
  hospitalService: string;
  readmissionIndicator: string;
  admitSource: string;
  vipIndicator: string;
  admittingDoctors: Xcn[];
  patientType: string;
  visitNumber: Cx;
  financialClass: string;
  /** PV1-36, table 0112 (e.g. 01 home, 20 expired). */
  dischargeDisposition: string;
  /** PV1-37.1 discharged-to location. */
  dischargedToLocation: string;
  servicingFacility: string;
  accountStatus: string;
  pendingLocation: Pl;
  admitTime: Hl7Timestamp | undefined;
  /** PV1-45 (first repetition). */
  dischargeTime: Hl7Timestamp | undefined;
  alternateVisitId: Cx;
  visitIndicator: string;
}

/** PV1 of a message (first) or a PV1 segment. */
export function readPv1(src: Hl7Message | Hl7Segment, opts?: TimeOptions): Pv1 | undefined {
  const s = pick(src, 'PV1');
  if (s === undefined) return undefined;
  return {
    setId: s.get(1),
    patientClass: s.get(2),
    assignedLocation: pl(rep(s, 3)),
    admissionType: s.get(4),
    priorLocation: pl(rep(s, 6)),
    attendingDoctors: reps(s, 7).map(xcn),
    referringDoctors: reps(s, 8).map(xcn),
    consultingDoctors: reps(s, 9).map(xcn),
    hospitalService: s.get(10),
    readmissionIndicator: s.get(13),
    admitSource: s.get(14),
    vipIndicator: s.get(16),
    admittingDoctors: reps(s, 17).map(xcn),
    patientType: s.get(18),
    visitNumber: cx(rep(s, 19)),
    financialClass: s.get(20),
    dischargeDisposition: s.get(36),
    dischargedToLocation: s.get(37),
    servicingFacility: s.get(39),
    accountStatus: s.get(41),
    pendingLocation: pl(rep(s, 42)),
    admitTime: ts(rep(s, 44), 1, opts),
    dischargeTime: ts(rep(s, 45), 1, opts),
    alternateVisitId: cx(rep(s, 50)),
    visitIndicator: s.get(51),
  };
}

export interface Pv2 {
  priorPendingLocation: Pl;
  admitReason: Cwe;
  transferReason: Cwe;
  expectedAdmitTime: Hl7Timestamp | undefined;
  expectedDischargeTime: Hl7Timestamp | undefined;
  visitDescription: string;
  patientStatusCode: string;
  visitPriorityCode: string;
  expectedDischargeDisposition: string;
}

/** PV2 (additional visit information). */
export function readPv2(src: Hl7Message | Hl7Segment, opts?: TimeOptions): Pv2 | undefined {
  const s = pick(src, 'PV2');
  if (s === undefined) return undefined;
  return {
    priorPendingLocation: pl(rep(s, 1)),
    admitReason: cwe(rep(s, 3)),
    transferReason: cwe(rep(s, 4)),
    expectedAdmitTime: ts(rep(s, 8), 1, opts),
    expectedDischargeTime: ts(rep(s, 9), 1, opts),
    visitDescription: s.get(12),
    patientStatusCode: s.get(24),
    visitPriorityCode: s.get(25),
    expectedDischargeDisposition: s.get(27),
  };
}
