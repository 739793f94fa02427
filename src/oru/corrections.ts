/**
 * What a new result does to the results already stored for the same patient, filler order (OBR-3)
 * and code (OBX-3) and sub-id (OBX-4). Pure. Result status is HL7 v2.5.1 table 0085:
 *
 * | incoming OBX-11                                   | effect on the earlier results in effect              |
 * |---------------------------------------------------|------------------------------------------------------|
 * | W (posted as wrong, e.g. wrong patient), D (delete) | withdrawn; the incoming row is stored as the record of the withdrawal, itself never in effect |
 * | P, R, S, I, O, N (not final) while a final is in effect | none: the late row is stored already superseded by that final |
 * | U (now final, results not sent again)             | superseded; the new row takes the earlier value when it carries none |
 * | anything else (F final, C corrected, A amended, X cannot be obtained, P after P, empty) | superseded by the new row (kept, marked) |
 *
 * Only results from other log entries count (two OBX of one message never replace each other), so
 * reprocessing an entry, which is refused anyway, could not supersede its own rows. Without a filler
 * order number or a code nothing can be matched: the result simply stands beside earlier ones.
 */

/** An earlier result in effect (not superseded, not withdrawn) with the same key. */
export interface EarlierResult {
  id: number;
  resultStatus: string | null;
}

export type CorrectionPlan =
  /** The new row is in effect; `replaces` are superseded by it. `inheritFrom`: take its value (U). */
  | { kind: 'supersede'; replaces: number[]; inheritFrom: number | null }
  /** The new row withdraws `withdraws` and is stored withdrawn itself. */
  | { kind: 'withdraw'; withdraws: number[] }
  /** The new row arrived after a final: stored superseded by `supersededBy`. */
  | { kind: 'late'; supersededBy: number };

const WITHDRAWING = new Set(['W', 'D']);
const NOT_FINAL = new Set(['P', 'R', 'S', 'I', 'O', 'N']);

/** Whether a result status (table 0085) withdraws earlier results. */
export function isWithdrawal(status: string | null): boolean {
  return WITHDRAWING.has((status ?? '').toUpperCase());
}

/** Whether a result status is not final (a later final replaces it; it never replaces a final). */
export function isPreliminary(status: string | null): boolean {
  return NOT_FINAL.has((status ?? '').toUpperCase());
}

/** The effect of a new result with `status` on the earlier results in effect with its key. */
export function planCorrection(status: string | null, earlier: readonly EarlierResult[]): CorrectionPlan {
  const ids = earlier.map((e) => e.id).sort((a, b) => a - b);
  if (isWithdrawal(status)) return { kind: 'withdraw', withdraws: ids };
  if (isPreliminary(status)) {
    const finals = earlier.filter((e) => !isPreliminary(e.resultStatus)).map((e) => e.id);
    if (finals.length) return { kind: 'late', supersededBy: Math.max(...finals) };
  }
  const inheritFrom = (status ?? '').toUpperCase() === 'U' && ids.length ? (ids[ids.length - 1] as number) : null;
  return { kind: 'supersede', replaces: ids, inheritFrom };
}
