import { userInfo } from 'node:os';
import type { Kysely } from 'kysely';
import { appendAudits, AuditAction, type AuditDetail, type AuditOutcome } from '../audit/index.js';

export { inAuditedTransaction } from '../audit/index.js';
import { getEpisode } from '../store/care/episodes.js';
import { getReview } from '../store/identity.js';
import { getEntry, type LogEntry } from '../store/message-log.js';
import { linkedPatientId } from '../ingest/message-admin.js';
import type { Database } from '../store/schema.js';

/**
 * The audit calls the CLI verbs make, one line each in their files (messages.ts, identity.ts,
 * care.ts): source 'cli', the operator as actor, the command and the OS login in the detail (a name
 * given with --by/--actor is a claim; the login says which account made it). Each appends in the
 * command's transaction when `db` is one, so the entry commits with the change it records.
 */

/** The operator's OS login. */
export const osUser = (): string => {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
};

/** The actor of a CLI command: the name given (--by, --actor), else 'cli:' + the OS login. */
export const cliActor = (named?: string | undefined): string => (named ? named : `cli:${osUser()}`);

export interface CliAudit {
  action: AuditAction;
  entityType: string;
  entityId?: string | number | null;
  /** The patient concerned; several (a merge, a review's candidates) give one entry each. */
  patientId?: number | null | readonly number[];
  outcome?: AuditOutcome;
  detail?: AuditDetail;
}

/** Record what CLI `command` did; `actor` as recorded (see cliActor). */
export async function auditCli(db: Kysely<Database>, command: string, actor: string, a: CliAudit): Promise<void> {
  const patients = Array.isArray(a.patientId) ? [...new Set(a.patientId as number[])] : [a.patientId as number | null | undefined ?? null];
  await appendAudits(db, (patients.length ? patients : [null]).map((patientId) => ({
    actor, userId: null, patientId, action: a.action, entityType: a.entityType, entityId: a.entityId ?? null, source: 'cli', outcome: a.outcome,
    detail: { ...a.detail, command, osUser: osUser() },
  })));
}

/** A care CLI change (care.ts): the patient is read from the episode when only that is known. */
export async function auditCare(c: { db: Kysely<Database>; actor: string }, command: string, a: CliAudit & { episodeId?: number | null }): Promise<void> {
  const { episodeId, ...rest } = a;
  const patientId = rest.patientId ?? (episodeId ? (await getEpisode(c.db, episodeId))?.patientId ?? null : null);
  await auditCli(c.db, command, c.actor, { ...rest, patientId, detail: { ...rest.detail, ...(episodeId ? { episodeId } : {}) } });
}

/** A review decision or view (identity.ts): the review's staging patient, plus `also` (a survivor, the candidates shown). */
export async function auditReview(db: Kysely<Database>, command: string, by: string | undefined, reviewId: number, a: Omit<CliAudit, 'entityType' | 'entityId'>, also: readonly number[] = []): Promise<void> {
  const review = await getReview(db, reviewId);
  const shown = a.action === AuditAction.Read && Array.isArray(review?.candidates)
    ? (review.candidates as { patientId?: unknown }[]).map((c) => c.patientId).filter((id): id is number => typeof id === 'number') : [];
  const patients = [...(review ? [review.patientId] : []), ...also, ...shown];
  await auditCli(db, command, cliActor(by), { ...a, entityType: 'match-review', entityId: reviewId, patientId: patients });
}

/**
 * An HL7 message viewed or requeued (messages.ts): the patient is the one holding the message's
 * ordering identifier (PID-3 read at receipt, followed through merges), when there is one.
 */
export async function auditMessage(db: Kysely<Database>, command: string, entryOrId: number | Pick<LogEntry, 'id' | 'patient_key' | 'message_type' | 'control_id'>, a: Omit<CliAudit, 'entityType' | 'entityId' | 'patientId'>): Promise<void> {
  const entry = typeof entryOrId === 'number' ? (await getEntry(db, entryOrId)) ?? { id: entryOrId, patient_key: null, message_type: null, control_id: null } : entryOrId;
  await auditCli(db, command, cliActor(), {
    ...a, entityType: 'hl7-message', entityId: Number(entry.id), patientId: await linkedPatientId(db, entry),
    detail: { ...a.detail, messageType: entry.message_type, controlId: entry.control_id },
  });
}
