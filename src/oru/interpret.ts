/**
 * The interpretation of a result from its abnormal flags (OBX-8, HL7 v2.5.1 §7.4.2.8, table 0078).
 * Pure. The alert rules read it: critical-* values raise critical alerts, the others at most medium,
 * so the table below is the contract and every row of it is tested.
 *
 * Accepted flags (trimmed, case-insensitive, inner spaces collapsed; OBX-8 repeats and all repetitions
 * count; a CWE flag's identifier is used, its text when the identifier is empty):
 *
 * | flag (table 0078 unless noted)                                  | class           |
 * |-----------------------------------------------------------------|-----------------|
 * | N, NORMAL                                                       | normal          |
 * | L, LOW; LU (v2.8 "significantly low")                           | low             |
 * | H, HIGH; HU (v2.8 "significantly high")                         | high            |
 * | LL (below lower panic limits); CL, CRITICAL LOW, LOW CRITICAL, PANIC LOW  (senders' critical text) | critical low  |
 * | HH (above upper panic limits); CH, CRITICAL HIGH, HIGH CRITICAL, PANIC HIGH (senders' critical text) | critical high |
 * | A, ABNORMAL, ABN                                                | abnormal        |
 * | AA (very abnormal); C, CR, CRIT, CRITICAL, PANIC, PAN (senders' critical text, no direction) | critical |
 * | < (below absolute low, off instrument scale)                    | below absolute  |
 * | > (above absolute high, off instrument scale)                   | above absolute  |
 *
 * Anything else (U/D significant change, B/W better/worse, S/R/I/MS/VS susceptibility, v2.7 POS/NEG/DET/ND...)
 * does not take part: it is kept in `abnormal_flags` as sent, and gives no interpretation on its own.
 *
 * Several flags combine to the most severe reading: critical high/low; then a directionless critical
 * takes its direction from a high (H, >) or low (L, <) flag beside it, else critical-abnormal; then an
 * off-scale flag; then high or low (both: abnormal); then abnormal; then normal. Conflicting
 * directions never pick one: they give the directionless class of the same severity.
 * No flag means no interpretation: the reference range never invents one (see `range.ts` for the
 * separate out-of-range reading).
 */

export const Interpretation = {
  /** N: within the reference range (or normal for a non-numeric result). */
  Normal: 'normal',
  /** L: below the low normal limit. */
  Low: 'low',
  /** H: above the high normal limit. */
  High: 'high',
  /** LL: below the lower panic (critical) limit. */
  CriticalLow: 'critical-low',
  /** HH: above the upper panic (critical) limit. */
  CriticalHigh: 'critical-high',
  /** A: abnormal without direction (typically a non-numeric result). */
  Abnormal: 'abnormal',
  /** AA, or a critical flag without direction. */
  CriticalAbnormal: 'critical-abnormal',
  /** <: below the instrument's absolute low (off scale). */
  BelowAbsoluteLow: 'below-absolute-low',
  /** >: above the instrument's absolute high (off scale). */
  AboveAbsoluteHigh: 'above-absolute-high',
} as const;
export type Interpretation = (typeof Interpretation)[keyof typeof Interpretation];

export const INTERPRETATIONS: readonly Interpretation[] = Object.values(Interpretation);

/** How urgent an interpretation is: what the alert rules map to alert levels. */
export const Severity = {
  /** critical-low, critical-high, critical-abnormal. */
  Critical: 'critical',
  /** low, high, abnormal, below-absolute-low, above-absolute-high. */
  Abnormal: 'abnormal',
  /** normal. */
  Normal: 'normal',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

const SEVERITY: Record<Interpretation, Severity> = {
  normal: 'normal',
  low: 'abnormal',
  high: 'abnormal',
  abnormal: 'abnormal',
  'below-absolute-low': 'abnormal',
  'above-absolute-high': 'abnormal',
  'critical-low': 'critical',
  'critical-high': 'critical',
  'critical-abnormal': 'critical',
};

/** The severity of an interpretation; null for none. */
export function severityOf(i: Interpretation | null): Severity | null {
  return i === null ? null : SEVERITY[i];
}

/** Severities in increasing order (null = no interpretation lowest). */
export function severityRank(s: Severity | null): number {
  return s === null ? 0 : s === 'normal' ? 1 : s === 'abnormal' ? 2 : 3;
}

type FlagClass = 'N' | 'L' | 'H' | 'LL' | 'HH' | 'A' | 'C' | '<' | '>';

const FLAGS: ReadonlyMap<string, FlagClass> = new Map<string, FlagClass>([
  ['N', 'N'], ['NORMAL', 'N'],
  ['L', 'L'], ['LOW', 'L'], ['LU', 'L'],
  ['H', 'H'], ['HIGH', 'H'], ['HU', 'H'],
  ['LL', 'LL'], ['CL', 'LL'], ['CRITICAL LOW', 'LL'], ['LOW CRITICAL', 'LL'], ['PANIC LOW', 'LL'],
  ['HH', 'HH'], ['CH', 'HH'], ['CRITICAL HIGH', 'HH'], ['HIGH CRITICAL', 'HH'], ['PANIC HIGH', 'HH'],
  ['A', 'A'], ['ABNORMAL', 'A'], ['ABN', 'A'],
  ['AA', 'C'], ['C', 'C'], ['CR', 'C'], ['CRIT', 'C'], ['CRITICAL', 'C'], ['PANIC', 'C'], ['PAN', 'C'],
  ['<', '<'], ['>', '>'],
]);

/** The class of one flag as sent, or undefined when it takes no part in the interpretation. */
export function flagClass(flag: string): FlagClass | undefined {
  return FLAGS.get(flag.trim().replace(/\s+/g, ' ').toUpperCase());
}

/** The interpretation of a result's OBX-8 flags (see the table above); null when none applies. */
export function interpretFlags(flags: readonly string[]): Interpretation | null {
  const has = new Set<FlagClass>();
  for (const f of flags) {
    const c = flagClass(f);
    if (c !== undefined) has.add(c);
  }
  const up = has.has('H') || has.has('>');
  const down = has.has('L') || has.has('<');
  if (has.has('HH') && has.has('LL')) return Interpretation.CriticalAbnormal;
  if (has.has('HH')) return Interpretation.CriticalHigh;
  if (has.has('LL')) return Interpretation.CriticalLow;
  if (has.has('C')) return up && !down ? Interpretation.CriticalHigh : down && !up ? Interpretation.CriticalLow : Interpretation.CriticalAbnormal;
  if (has.has('>') && !down) return Interpretation.AboveAbsoluteHigh;
  if (has.has('<') && !up) return Interpretation.BelowAbsoluteLow;
  if (up && down) return Interpretation.Abnormal;
  if (up) return Interpretation.High;
  if (down) return Interpretation.Low;
  if (has.has('A')) return Interpretation.Abnormal;
  if (has.has('N')) return Interpretation.Normal;
  return null;
}
