import type { Kysely } from 'kysely';
import { readMrg, readPid, type Hl7Message, type Mrg, type Pid } from '../hl7/index.js';
import type { HandlerInput, MessageHandler } from '../ingest/handlers.js';
import { IngestError, ProcessErrorCode } from '../ingest/retry.js';
import { identifiersFrom, patientFromPid } from '../patients/index.js';
import { IdentityAction, logDecision } from '../store/identity.js';
import { addIdentifiers, findByIdentifier, type PatientRecord } from '../store/patients.js';
import type { Database } from '../store/schema.js';
import { mergePatients, MergeSource } from './merge.js';
import { resolvePatient } from './resolve.js';
import { IdentityStoreError } from './store-errors.js';

/**
 * The merge events handled alike: A40 merge patient - patient identifier list (HL7 v2.5.1 §3.3.40),
 * and its older forms A34 (patient id only), A36 (patient id and account number), A39 (person - patient
 * id). Each PID names the surviving patient; the MRG after it the prior identifiers (MRG-1, or MRG-4
 * when MRG-1 is empty). A message may repeat the PID/MRG group (§3.3.40: PATIENT group repeats).
 */
export const MERGE_TRIGGERS = ['ADT^A40', 'ADT^A34', 'ADT^A36', 'ADT^A39'] as const;

/** The PID/MRG pairs of a merge message, in order. */
export function mergeGroups(message: Hl7Message): { pid: Pid; mrg: Mrg }[] {
  const groups: { pid: Pid; mrg: Mrg }[] = [];
  let pid: Pid | undefined;
  for (const s of message.segments) {
    if (s.name === 'PID') pid = readPid(s);
    else if (s.name === 'MRG' && pid) {
      groups.push({ pid, mrg: readMrg(s)! });
      pid = undefined;
    }
  }
  return groups;
}

const invalid = (text: string) => new IngestError(ProcessErrorCode.InvalidContent, text);

/**
 * Apply one PID/MRG group: the surviving patient is resolved by its identifiers (created when unknown;
 * no probabilistic step, the sender names it). The prior patient, when known and different, is merged
 * into it. Prior identifiers nobody holds (all of them when the prior patient is unknown) are attached
 * to the survivor, so that later messages carrying them land there. Already the same patient: nothing moves.
 */
async function applyGroup(trx: Kysely<Database>, input: HandlerInput, group: { pid: Pid; mrg: Mrg }, at: number): Promise<void> {
  const facility = input.message.get('MSH-4.1');
  const sender = `${input.message.get('MSH-3.1')}|${facility}`;
  const provenance = { sourceEntryId: input.entryId, at };
  const incoming = patientFromPid(group.pid, facility);
  if (incoming.identifiers.length === 0) throw invalid('merge message: PID-3 names no surviving patient identifier');
  const mrg1 = identifiersFrom(group.mrg.priorIdentifiers, facility);
  const prior = mrg1.length > 0 ? mrg1 : identifiersFrom([group.mrg.priorPatientId], facility);
  if (prior.length === 0) throw invalid('merge message: MRG-1 names no prior patient identifier');

  const survivor = await resolvePatient(trx, incoming, { sourceEntryId: input.entryId, at, updateDemographics: true, probabilistic: false });
  let priorPatient: PatientRecord | undefined;
  for (const id of prior) if (!priorPatient) priorPatient = await findByIdentifier(trx, id.authority, id.value);
  if (priorPatient && priorPatient.id !== survivor.patientId) {
    await mergePatients(trx, { survivorId: survivor.patientId, mergedId: priorPatient.id, source: MergeSource.AdtA40, sourceEntryId: input.entryId, decidedBy: sender, at });
  }
  const { added } = await addIdentifiers(trx, survivor.patientId, prior, provenance);
  if (added.length > 0) {
    await logDecision(trx, {
      at, by: sender, action: IdentityAction.IdentifiersAttached, patientId: survivor.patientId, otherPatientId: priorPatient?.id ?? null, reviewId: null, mergeId: null,
      sourceEntryId: input.entryId, note: null, detail: { identifiers: added, priorKnown: priorPatient !== undefined },
    });
  }
}

/** The merge handler; `now` stamps what it records. */
export function mergeHandler(now: () => number): MessageHandler {
  return {
    name: 'identity-merge',
    async handle(trx, input) {
      const groups = mergeGroups(input.message);
      if (groups.length === 0) throw invalid('merge message without a PID followed by an MRG');
      try {
        for (const group of groups) await applyGroup(trx, input, group, now());
      } catch (err) {
        // A merge the store refuses (a tombstone, itself) cannot succeed on a retry: park it for an operator.
        if (err instanceof IdentityStoreError) throw new IngestError(ProcessErrorCode.InvalidContent, `merge refused: ${err.message}`, { cause: err });
        throw err;
      }
    },
  };
}
