import type { Hl7Message, Hl7Repetition, Hl7Segment } from '../hl7/index.js';

/**
 * The ordering key of a message, read cheaply at receipt: the patient identifier from PID-3
 * (the MR-typed repetition when there is one, else the first non-empty one that is not an SSN) with its assigning
 * authority (CX.4, else assigning facility CX.6, else the sending facility MSH-4).
 * Two messages about the same identifier from the same authority share a key and are processed
 * in arrival order. Null when the message names no patient.
 */
export function patientKey(message: Hl7Message): string | null {
  return identifierKey(message.segment('PID'), 3, message);
}

/** The second key of a merge: the prior identifier in MRG-1 (A40 and the other merge events). */
export function mergeKey(message: Hl7Message): string | null {
  return identifierKey(message.segment('MRG'), 1, message);
}

/** An SSN never becomes an ordering key (keys are stored in the operational database; see patients/from-pid.ts). */
function isSsn(r: Hl7Repetition): boolean {
  const type = r.get(5, 1).toUpperCase();
  return type === 'SS' || type === 'SSN' || r.get(4, 1).toUpperCase() === 'SSA';
}

function identifierKey(segment: Hl7Segment | undefined, field: number, message: Hl7Message): string | null {
  if (!segment) return null;
  const reps = segment.field(field).repetitions.filter((r) => r.get(1, 1).trim() !== '' && !isSsn(r));
  const chosen = reps.find((r) => r.get(5, 1).toUpperCase() === 'MR') ?? reps[0];
  if (!chosen) return null;
  const authority = chosen.get(4, 1) || chosen.get(6, 1) || message.get('MSH-4.1');
  return `${chosen.get(1, 1).trim()}^${authority.trim()}`;
}
