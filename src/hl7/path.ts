/**
 * Terser-like paths: SEG[occurrence]-FIELD[repetition].COMPONENT.SUBCOMPONENT, all 1-based,
 * e.g. "MSH-9.1", "PID-3[2].4.1", "OBX[2]-5". Omitted parts default to 1.
 */
import { Hl7Error, Hl7ErrorCode } from './errors.js';

export interface Hl7Path {
  segment: string;
  occurrence: number;
  field: number;
  repetition: number;
  component: number;
  subcomponent: number;
}

// Linear: every quantifier is over a disjoint character class, so no backtracking blow-up.
const PATH = /^([A-Z][A-Z0-9]{2})(?:\[(\d{1,6})\])?-(\d{1,6})(?:\[(\d{1,6})\])?(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?$/;

/** Parse a path; throws Hl7Error INVALID_PATH for anything else (a programming error). */
export function parsePath(path: string): Hl7Path {
  const m = PATH.exec(path);
  const num = (s: string | undefined): number => (s === undefined ? 1 : Number(s));
  if (m === null) throw new Hl7Error(Hl7ErrorCode.INVALID_PATH, `not a segment path: ${JSON.stringify(path.slice(0, 40))}`);
  const p: Hl7Path = {
    segment: m[1] as string,
    occurrence: num(m[2]),
    field: Number(m[3]),
    repetition: num(m[4]),
    component: num(m[5]),
    subcomponent: num(m[6]),
  };
  if (p.occurrence < 1 || p.field < 1 || p.repetition < 1 || p.component < 1 || p.subcomponent < 1) {
    throw new Hl7Error(Hl7ErrorCode.INVALID_PATH, `path numbers are 1-based: ${JSON.stringify(path)}`);
  }
  return p;
}
