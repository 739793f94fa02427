/**
 * The summary an order's clinical event carries, so that rules and the timeline read one event
 * instead of its observations. Pure. Only results in effect are summarised: a withdrawal (OBX-11
 * W/D) or a late preliminary that a final already replaced is stored but never counted here, so a
 * retraction that repeats an HH value cannot raise a critical alert.
 */
import { severityOf, severityRank, type Interpretation, type Severity } from './interpret.js';
import type { ResultRecord } from './result.js';

/** A critical or abnormal result, as the event names it. */
export interface NotableResult {
  code: string | null;
  codeSystem: string | null;
  text: string | null;
  value: string | null;
  valueNum: number | null;
  units: string | null;
  referenceRange: string | null;
  flags: string[];
  interpretation: Interpretation;
  resultStatus: string | null;
}

export interface ResultSummary {
  /** Results in effect. */
  count: number;
  /** Counts per interpretation; 'none' for results without one. */
  byInterpretation: Partial<Record<Interpretation | 'none', number>>;
  /** Results whose number lies outside their reference range (flagged or not). */
  outOfRange: number;
  /** Out-of-range results the sender did not flag (OBX-8 empty). */
  outOfRangeUnflagged: number;
  /** The highest severity among them; null when none has an interpretation. */
  severity: Severity | null;
  critical: NotableResult[];
  abnormal: NotableResult[];
}

function notable(r: ResultRecord, interpretation: Interpretation): NotableResult {
  return {
    code: r.code,
    codeSystem: r.codeSystem,
    text: r.codeText,
    value: r.value.text,
    valueNum: r.value.num,
    units: r.units,
    referenceRange: r.referenceRange,
    flags: r.abnormalFlags,
    interpretation,
    resultStatus: r.resultStatus,
  };
}

/** Summarise the results of one order that are in effect. */
export function summarize(results: readonly ResultRecord[]): ResultSummary {
  const s: ResultSummary = { count: 0, byInterpretation: {}, outOfRange: 0, outOfRangeUnflagged: 0, severity: null, critical: [], abnormal: [] };
  for (const r of results) {
    s.count++;
    const key = r.interpretation ?? 'none';
    s.byInterpretation[key] = (s.byInterpretation[key] ?? 0) + 1;
    if (r.outOfRange === true) {
      s.outOfRange++;
      if (r.abnormalFlags.length === 0) s.outOfRangeUnflagged++;
    }
    const severity = severityOf(r.interpretation);
    if (severityRank(severity) > severityRank(s.severity)) s.severity = severity;
    if (r.interpretation && severity === 'critical') s.critical.push(notable(r, r.interpretation));
    else if (r.interpretation && severity === 'abnormal') s.abnormal.push(notable(r, r.interpretation));
  }
  return s;
}
