/**
 * Diagnosis and insurance: DG1 (HL7 v2.5.1 §6.5.2) and IN1 (§6.5.6). Values unescaped.
 */
import type { Hl7Message } from '../message.js';
import type { Hl7Segment } from '../segment.js';
import type { Hl7Timestamp } from '../timestamp.js';
import { cwe, cx, pick, rep, reps, ts, xad, xcn, xon, xpn, xtn, type Cwe, type Cx, type TimeOptions, type Xad, type Xcn, type Xon, type Xpn, type Xtn } from './datatypes.js';

export interface Dg1 {
  setId: string;
  diagnosis: Cwe;
  /** DG1-4 free-text description (before v2.7). */
  description: string;
  diagnosisTime: Hl7Timestamp | undefined;
  /** DG1-6, table 0052: A admitting, W working, F final. */
  diagnosisType: string;
  priority: string;
  clinicians: Xcn[];
}

/** DG1 of a message (first) or a DG1 segment. */
export function readDg1(src: Hl7Message | Hl7Segment, opts?: TimeOptions): Dg1 | undefined {
  const s = pick(src, 'DG1');
  if (s === undefined) return undefined;
  return {
    setId: s.get(1),
    diagnosis: cwe(rep(s, 3)),
    description: s.get(4),
    diagnosisTime: ts(rep(s, 5), 1, opts),
    diagnosisType: s.get(6),
    priority: s.get(15),
    clinicians: reps(s, 16).map(xcn),
  };
}

export interface In1 {
  setId: string;
  planId: Cwe;
  companyIds: Cx[];
  companyNames: Xon[];
  companyAddresses: Xad[];
  companyPhones: Xtn[];
  groupNumber: string;
  groupNames: Xon[];
  planEffectiveDate: Hl7Timestamp | undefined;
  planExpirationDate: Hl7Timestamp | undefined;
  planType: string;
  insuredNames: Xpn[];
  insuredRelationship: Cwe;
  insuredBirthDate: Hl7Timestamp | undefined;
  insuredAddresses: Xad[];
  policyNumber: string;
  insuredIds: Cx[];
}

/** IN1 of a message (first) or an IN1 segment. */
export function readIn1(src: Hl7Message | Hl7Segment, opts?: TimeOptions): In1 | undefined {
  const s = pick(src, 'IN1');
  if (s === undefined) return undefined;
  return {
    setId: s.get(1),
    planId: cwe(rep(s, 2)),
    companyIds: reps(s, 3).map(cx),
    companyNames: reps(s, 4).map(xon),
    companyAddresses: reps(s, 5).map(xad),
    companyPhones: reps(s, 7).map(xtn),
    groupNumber: s.get(8),
    groupNames: reps(s, 9).map(xon),
    planEffectiveDate: ts(rep(s, 12), 1, opts),
    planExpirationDate: ts(rep(s, 13), 1, opts),
    planType: s.get(15),
    insuredNames: reps(s, 16).map(xpn),
    insuredRelationship: cwe(rep(s, 17)),
    insuredBirthDate: ts(rep(s, 18), 1, opts),
    insuredAddresses: reps(s, 19).map(xad),
    policyNumber: s.get(36),
    insuredIds: reps(s, 49).map(cx),
  };
}
