/**
 * Everything carecoord takes from one ADT message, read once and normalized (pure). The use case
 * (apply.ts) works from this, never from the segments.
 */
import { readEvn, readMsh, readPid, type Hl7Message, type Hl7Timestamp } from '../hl7/index.js';
import { patientFromPid, type IncomingPatient } from '../patients/index.js';
import { deathFromPid, type PidDeath } from './death.js';
import { chooseEventTime, type EventTimeSource } from './event-time.js';
import { coveragesOf, diagnosesOf, type Coverage, type Diagnosis } from './records.js';
import { adtTrigger, type AdtTrigger } from './triggers.js';
import { readVisit, type Visit } from './visit.js';

export interface AdtMessage {
  trigger: AdtTrigger;
  /** MSH-9.1^MSH-9.2 as routed, e.g. 'ADT^A01'. */
  messageType: string;
  /** MSH-4.1 sending facility: the scope of visit numbers and of identifiers without an authority. */
  facility: string;
  /** The patient as PID states it (no SSN: see patients/from-pid); undefined without PID. */
  patient: IncomingPatient | undefined;
  occurredAt: number;
  timeSource: EventTimeSource;
  visit: Visit;
  pidDeath: PidDeath;
  diagnoses: Diagnosis[];
  coverage: Coverage[];
}

const ms = (t: Hl7Timestamp | undefined) => t?.date.getTime();

/** The SSNs a PID carries (PID-19, SS-typed PID-3), digits only: never stored, used to keep them out of other fields. */
export function ssnDigitsOf(message: Hl7Message): string[] {
  const pid = readPid(message);
  if (!pid) return [];
  const ssIds = pid.identifiers.filter((c) => ['SS', 'SSN'].includes(c.identifierType.toUpperCase()) || c.assigningAuthority.toUpperCase() === 'SSA').map((c) => c.id);
  return [pid.ssn, ...ssIds].map((s) => s.replace(/\D/g, '')).filter((s) => s.length >= 9);
}

/** The message read for its trigger; undefined for a trigger adt/ does not apply. */
export function readAdt(message: Hl7Message, receivedAt: number): AdtMessage | undefined {
  const { code, trigger: triggerCode } = message.messageType;
  const trigger = adtTrigger(triggerCode);
  if (!trigger) return undefined;
  const msh = readMsh(message);
  const evn = readEvn(message);
  const visit = readVisit(message);
  const time = chooseEventTime(
    {
      evnOccurred: ms(evn?.occurredTime),
      evnRecorded: ms(evn?.recordedTime),
      admitTime: visit.admitTime ?? undefined,
      dischargeTime: visit.dischargeTime ?? undefined,
      messageTime: ms(msh?.dateTime),
      receivedAt,
    },
    trigger.visitTime,
  );
  const facility = (msh?.sendingFacility.namespaceId ?? '').trim();
  const pid = readPid(message);
  if (trigger.impliedClass && visit.patientClass === null) visit.patientClass = trigger.impliedClass;
  return {
    trigger,
    messageType: `${code.trim().toUpperCase()}^${trigger.trigger}`,
    facility,
    patient: pid ? patientFromPid(pid, facility, time.at) : undefined,
    occurredAt: time.at,
    timeSource: time.source,
    visit,
    pidDeath: deathFromPid(message.segment('PID')),
    diagnoses: diagnosesOf(message, time.at),
    coverage: coveragesOf(message, ssnDigitsOf(message)),
  };
}

/** The normalized payload of the message's visit event: what the encounter fold reads, and what people read. */
export function visitPayload(m: AdtMessage): Record<string, unknown> {
  const v = m.visit;
  const payload: Record<string, unknown> = {
    trigger: m.trigger.trigger,
    eventTimeSource: m.timeSource,
    visitNumber: v.visitNumber,
    patientClass: v.patientClass,
    location: v.location,
    priorLocation: v.priorLocation,
    pendingLocation: v.pendingLocation,
    attending: v.attending,
    attendingId: v.attendingId,
    hospitalService: v.hospitalService,
    admissionType: v.admissionType,
    admitSource: v.admitSource,
    disposition: v.disposition,
    dischargedTo: v.dischargedTo,
    admitTime: v.admitTime,
    dischargeTime: v.dischargeTime,
    admitReason: v.admitReason,
    expectedAdmitAt: v.expectedAdmitAt,
    priorVisitNumber: v.priorVisitNumber,
    diagnoses: m.diagnoses.length ? m.diagnoses.map((d) => ({ code: d.code, system: d.codeSystem, description: d.description, type: d.type })) : null,
    repairs: [...v.repairs, ...m.pidDeath.repairs],
  };
  // Only what the message says: absent values are left out rather than stored as null.
  for (const [k, val] of Object.entries(payload)) if (val === null || (Array.isArray(val) && val.length === 0)) delete payload[k];
  return payload;
}
