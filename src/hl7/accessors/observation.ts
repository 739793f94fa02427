/**
 * Orders and results: OBR (HL7 v2.5.1 §4.5.3 / §7.4.1), OBX (§7.4.2), NTE (§2.14.10). Values unescaped;
 * formatting escapes in text values (\.br\, \H\...) are kept as written.
 */
import type { Hl7Message } from '../message.js';
import type { Hl7Repetition, Hl7Segment } from '../segment.js';
import type { Hl7Timestamp } from '../timestamp.js';
import { cwe, ei, pick, readAll, rep, reps, ts, xcn, type Cwe, type Ei, type TimeOptions, type Xcn } from './datatypes.js';

export interface Obr {
  setId: string;
  placerOrderNumber: Ei;
  fillerOrderNumber: Ei;
  universalServiceId: Cwe;
  priority: string;
  requestedTime: Hl7Timestamp | undefined;
  observationTime: Hl7Timestamp | undefined;
  observationEndTime: Hl7Timestamp | undefined;
  specimenReceivedTime: Hl7Timestamp | undefined;
  orderingProviders: Xcn[];
  resultStatusChangeTime: Hl7Timestamp | undefined;
  diagnosticServiceSection: string;
  /** OBR-25, table 0123 (F final, P preliminary, C corrected, X cancelled...). */
  resultStatus: string;
  reasonsForStudy: Cwe[];
}

/** OBR of a message (first) or an OBR segment. */
export function readObr(src: Hl7Message | Hl7Segment, opts?: TimeOptions): Obr | undefined {
  const s = pick(src, 'OBR');
  if (s === undefined) return undefined;
  return {
    setId: s.get(1),
    placerOrderNumber: ei(rep(s, 2)),
    fillerOrderNumber: ei(rep(s, 3)),
    universalServiceId: cwe(rep(s, 4)),
    priority: s.get(5),
    requestedTime: ts(rep(s, 6), 1, opts),
    observationTime: ts(rep(s, 7), 1, opts),
    observationEndTime: ts(rep(s, 8), 1, opts),
    specimenReceivedTime: ts(rep(s, 14), 1, opts),
    orderingProviders: reps(s, 16).map(xcn),
    resultStatusChangeTime: ts(rep(s, 22), 1, opts),
    diagnosticServiceSection: s.get(24),
    resultStatus: s.get(25),
    reasonsForStudy: reps(s, 31).map(cwe),
  };
}

/** One OBX-5 repetition, read according to OBX-2. */
export interface ObxValue {
  /** Component 1 unescaped (for ST/TX/FT/NM/DT/TS/ID/IS: the value itself). */
  text: string;
  /** Every component, unescaped (subcomponents rejoined as written is not attempted: first subcomponent). */
  components: string[];
  /** For CE/CWE/CNE/CF values. */
  coded?: Cwe;
  /** For NM values, when the text is a finite number. */
  number?: number;
  /** For SN values: comparator (e.g. '>'), first number, separator/suffix, second number. */
  structuredNumeric?: { comparator: string; num1: number | undefined; separator: string; num2: number | undefined };
  /** For TS/DTM/DT values, when valid. */
  time?: Hl7Timestamp;
}

function num(text: string): number | undefined {
  const t = text.trim();
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return undefined;
  return Number(t);
}

function obxValue(r: Hl7Repetition, type: string, opts?: TimeOptions): ObxValue {
  const components = r.components.map((_, i) => r.get(i + 1));
  const v: ObxValue = { text: components[0] ?? '', components };
  switch (type) {
    case 'CE': case 'CWE': case 'CNE': case 'CF':
      v.coded = cwe(r);
      break;
    case 'NM': {
      const n = num(v.text);
      if (n !== undefined) v.number = n;
      break;
    }
    case 'SN':
      v.structuredNumeric = { comparator: r.get(1), num1: num(r.get(2)), separator: r.get(3), num2: num(r.get(4)) };
      break;
    case 'TS': case 'DTM': case 'DT': {
      const t = ts(r, 1, opts);
      if (t !== undefined) v.time = t;
      break;
    }
  }
  return v;
}

export interface Obx {
  setId: string;
  /** OBX-2 value type (table 0125), e.g. NM, ST, CWE, SN, TX, FT, ED. */
  valueType: string;
  identifier: Cwe;
  subId: string;
  /** OBX-5, one entry per repetition (empty repetitions skipped). */
  values: ObxValue[];
  units: Cwe;
  referenceRange: string;
  /** OBX-8 flag codes (table 0078: L, H, LL, HH, N, A, AA...), from IS or CWE form ("A^A^HL70078"). */
  abnormalFlags: string[];
  /** OBX-8 with text and coding system (CWE form, v2.7+). */
  abnormalFlagsCoded: Cwe[];
  /** OBX-11, table 0085 (F final, P preliminary, C corrected, X cannot be obtained...). */
  resultStatus: string;
  observationTime: Hl7Timestamp | undefined;
  producerId: Cwe;
  responsibleObservers: Xcn[];
  methods: Cwe[];
  analysisTime: Hl7Timestamp | undefined;
}

/** OBX of a message (first) or an OBX segment; see readObxList for all of them. */
export function readObx(src: Hl7Message | Hl7Segment, opts?: TimeOptions): Obx | undefined {
  const s = pick(src, 'OBX');
  if (s === undefined) return undefined;
  const valueType = s.get(2).trim().toUpperCase();
  const flags = reps(s, 8).map(cwe);
  return {
    setId: s.get(1),
    valueType,
    identifier: cwe(rep(s, 3)),
    subId: s.get(4),
    values: reps(s, 5).map((r) => obxValue(r, valueType, opts)),
    units: cwe(rep(s, 6)),
    referenceRange: s.get(7),
    abnormalFlags: flags.map((f) => f.identifier).filter((f) => f !== ''),
    abnormalFlagsCoded: flags,
    resultStatus: s.get(11),
    observationTime: ts(rep(s, 14), 1, opts),
    producerId: cwe(rep(s, 15)),
    responsibleObservers: reps(s, 16).map(xcn),
    methods: reps(s, 17).map(cwe),
    analysisTime: ts(rep(s, 19), 1, opts),
  };
}

/** Every OBX of a message, in order. */
export function readObxList(message: Hl7Message, opts?: TimeOptions): Obx[] {
  return readAll(message, 'OBX', (s) => readObx(s, opts));
}

export interface Nte {
  setId: string;
  source: string;
  /** NTE-3 repetitions (formatting escapes kept). */
  comments: string[];
  commentType: Cwe;
}

/** NTE of a message (first) or an NTE segment. */
export function readNte(src: Hl7Message | Hl7Segment): Nte | undefined {
  const s = pick(src, 'NTE');
  if (s === undefined) return undefined;
  return { setId: s.get(1), source: s.get(2), comments: s.field(3).repetitions.map((r) => r.get(1)), commentType: cwe(rep(s, 4)) };
}
