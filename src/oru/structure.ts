/**
 * The groups of an ORU message (HL7 v2.5.1 §7.3.1 ORU_R01; R30-R32 have the same shape):
 *
 *   MSH [SFT] { [PID [PD1] [{NTE}] [{NK1}] [PV1 [PV2]]]
 *               { [ORC] OBR [{NTE}] [{TQ1}] [CTD] {[OBX [{NTE}]]} [{FT1}] [{CTI}] [{SPM [{OBX}]}] } } [DSC]
 *
 * Walked leniently, in one pass, because senders bend it: an OBR or OBX before any PID opens a
 * patient group without PID; an OBX before any OBR opens an order group without OBR; OBX of a
 * specimen (after SPM) belong to their order. An NTE belongs to the segment it follows: OBX (result
 * note), OBR (order note) or PID (patient note); elsewhere (after TQ1, SPM...) it is ignored.
 * Segments the model does not use (SFT, NK1, TQ1, SPM, FT1, CTI, MSA, Z-segments...) are skipped.
 */
import type { Hl7Message, Hl7Segment } from '../hl7/index.js';

export interface ResultGroup {
  obx: Hl7Segment;
  notes: Hl7Segment[];
}

export interface OrderGroup {
  /** The ORC just before the OBR, when there is one (its filler number backs up an empty OBR-3). */
  orc: Hl7Segment | undefined;
  obr: Hl7Segment | undefined;
  notes: Hl7Segment[];
  results: ResultGroup[];
}

export interface PatientGroup {
  pid: Hl7Segment | undefined;
  pv1: Hl7Segment | undefined;
  notes: Hl7Segment[];
  orders: OrderGroup[];
}

type NoteTarget = { notes: Hl7Segment[] } | undefined;

/** The patient groups of an ORU message, in message order. */
export function oruGroups(message: Hl7Message): PatientGroup[] {
  const patients: PatientGroup[] = [];
  let patient: PatientGroup | undefined;
  let order: OrderGroup | undefined;
  let orc: Hl7Segment | undefined;
  let noteTarget: NoteTarget;
  const openPatient = (pid: Hl7Segment | undefined): PatientGroup => {
    patient = { pid, pv1: undefined, notes: [], orders: [] };
    patients.push(patient);
    order = undefined;
    orc = undefined;
    return patient;
  };
  const openOrder = (obr: Hl7Segment | undefined): OrderGroup => {
    order = { orc, obr, notes: [], results: [] };
    (patient ?? openPatient(undefined)).orders.push(order);
    orc = undefined;
    return order;
  };
  for (const s of message.segments) {
    switch (s.name) {
      case 'PID':
        noteTarget = openPatient(s);
        break;
      case 'PV1':
        (patient ?? openPatient(undefined)).pv1 ??= s;
        noteTarget = undefined;
        break;
      case 'ORC':
        orc = s;
        noteTarget = undefined;
        break;
      case 'OBR':
        noteTarget = openOrder(s);
        break;
      case 'OBX': {
        const result: ResultGroup = { obx: s, notes: [] };
        (order ?? openOrder(undefined)).results.push(result);
        noteTarget = result;
        break;
      }
      case 'NTE':
        noteTarget?.notes.push(s);
        break;
      default:
        noteTarget = undefined;
    }
  }
  return patients;
}
