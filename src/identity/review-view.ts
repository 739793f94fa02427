/**
 * How a review shows a candidate beside the incoming record: one row per compared field with both
 * values, the comparison level and its weight (pure; the CLI and, later, the dashboard print it).
 */
import { MATCH_FIELDS, type FieldScore, type PersonRecord } from './index.js';

export interface FieldRow {
  /** A MATCH_FIELDS name, or a weight cap's name (level 'cap'). */
  field: string;
  incoming: string;
  candidate: string;
  /** Comparison level ('exact', 'jw94', 'missing', ...); '' when the model did not compare the field. */
  level: string;
  weight: number;
}

export function sideBySide(incoming: PersonRecord, candidate: PersonRecord, scores: readonly FieldScore[]): FieldRow[] {
  const byField = new Map(scores.map((s) => [s.field, s]));
  const rows: FieldRow[] = MATCH_FIELDS.map((field) => {
    const s = byField.get(field);
    return { field, incoming: incoming[field] ?? '', candidate: candidate[field] ?? '', level: s?.level ?? '', weight: s?.weight ?? 0 };
  });
  for (const s of scores) if (s.level === 'cap') rows.push({ field: s.field, incoming: '', candidate: '', level: 'cap', weight: s.weight });
  return rows;
}
