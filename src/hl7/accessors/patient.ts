/**
 * Patient segments: PID (HL7 v2.5.1 §3.4.2), PD1 (§3.4.10), MRG (§3.4.3). Values unescaped.
 */
import type { Hl7Message } from '../message.js';
import type { Hl7Segment } from '../segment.js';
import type { Hl7Timestamp } from '../timestamp.js';
import { cwe, cx, pick, rep, reps, ts, xad, xcn, xon, xpn, xtn, type Cwe, type Cx, type TimeOptions, type Xad, type Xcn, type Xon, type Xpn, type Xtn } from './datatypes.js';

export interface Pid {
  setId: string;
  /** PID-3 patient identifier list (empty repetitions skipped). */
  identifiers: Cx[];
  /** PID-2 (external id, before v2.7) and PID-4 (alternate ids). */
  alternateIdentifiers: Cx[];
  names: Xpn[];
  mothersMaidenName: Xpn[];
  birthDate: Hl7Timestamp | undefined;
  sex: string;
  aliases: Xpn[];
  races: Cwe[];
  addresses: Xad[];
  /** PID-13 (home) then PID-14 (business), each tagged. */
  phones: (Xtn & { kind: 'home' | 'business' })[];
  primaryLanguage: Cwe;
  maritalStatus: Cwe;
  religion: Cwe;
  accountNumber: Cx;
  /** PID-19 SSN number (as written). */
  ssn: string;
  ethnicGroups: Cwe[];
  birthPlace: string;
  multipleBirthIndicator: string;
  birthOrder: string;
  deathTime: Hl7Timestamp | undefined;
  /** PID-30: 'Y', 'N' or ''. */
  deathIndicator: string;
  lastUpdateTime: Hl7Timestamp | undefined;
}

/** PID of a message (first) or a PID segment. */
export function readPid(src: Hl7Message | Hl7Segment, opts?: TimeOptions): Pid | undefined {
  const s = pick(src, 'PID');
  if (s === undefined) return undefined;
  return {
    setId: s.get(1),
    identifiers: reps(s, 3).map(cx),
    alternateIdentifiers: [...reps(s, 2), ...reps(s, 4)].map(cx),
    names: reps(s, 5).map(xpn),
    mothersMaidenName: reps(s, 6).map(xpn),
    birthDate: ts(rep(s, 7), 1, opts),
    sex: s.get(8),
    aliases: reps(s, 9).map(xpn),
    races: reps(s, 10).map(cwe),
    addresses: reps(s, 11).map(xad),
    phones: [
      ...reps(s, 13).map((r) => ({ ...xtn(r), kind: 'home' as const })),
      ...reps(s, 14).map((r) => ({ ...xtn(r), kind: 'business' as const })),
    ],
    primaryLanguage: cwe(rep(s, 15)),
    maritalStatus: cwe(rep(s, 16)),
    religion: cwe(rep(s, 17)),
    accountNumber: cx(rep(s, 18)),
    ssn: s.get(19),
    ethnicGroups: reps(s, 22).map(cwe),
    birthPlace: s.get(23),
    multipleBirthIndicator: s.get(24),
    birthOrder: s.get(25),
    deathTime: ts(rep(s, 29), 1, opts),
    deathIndicator: s.get(30),
    lastUpdateTime: ts(rep(s, 33), 1, opts),
  };
}

export interface Pd1 {
  livingDependency: string[];
  livingArrangement: string;
  primaryFacilities: Xon[];
  primaryCareProviders: Xcn[];
  studentIndicator: string;
  handicap: string;
  livingWill: string;
  organDonor: string;
  publicityCode: Cwe;
  protectionIndicator: string;
  immunizationRegistryStatus: string;
}

/** PD1 (additional demographics). */
export function readPd1(src: Hl7Message | Hl7Segment): Pd1 | undefined {
  const s = pick(src, 'PD1');
  if (s === undefined) return undefined;
  return {
    livingDependency: reps(s, 1).map((r) => r.get(1)),
    livingArrangement: s.get(2),
    primaryFacilities: reps(s, 3).map(xon),
    primaryCareProviders: reps(s, 4).map(xcn),
    studentIndicator: s.get(5),
    handicap: s.get(6),
    livingWill: s.get(7),
    organDonor: s.get(8),
    publicityCode: cwe(rep(s, 11)),
    protectionIndicator: s.get(12),
    immunizationRegistryStatus: s.get(16),
  };
}

export interface Mrg {
  /** MRG-1 prior patient identifier list. */
  priorIdentifiers: Cx[];
  priorAlternateIdentifiers: Cx[];
  priorAccountNumber: Cx;
  /** MRG-4 prior patient id (before v2.7). */
  priorPatientId: Cx;
  priorVisitNumber: Cx;
  priorAlternateVisitId: Cx;
  priorNames: Xpn[];
}

/** MRG (merge information). */
export function readMrg(src: Hl7Message | Hl7Segment): Mrg | undefined {
  const s = pick(src, 'MRG');
  if (s === undefined) return undefined;
  return {
    priorIdentifiers: reps(s, 1).map(cx),
    priorAlternateIdentifiers: reps(s, 2).map(cx),
    priorAccountNumber: cx(rep(s, 3)),
    priorPatientId: cx(rep(s, 4)),
    priorVisitNumber: cx(rep(s, 5)),
    priorAlternateVisitId: cx(rep(s, 6)),
    priorNames: reps(s, 7).map(xpn),
  };
}
