import { ADMISSION_ALERT, DAY, ESCALATING, NO_ESCALATION, READMISSION_ALERT, TOC_TASKS, visit, type Scenario } from './support.js';

const gwen = { mrn: 'SC-VAC', name: 'ELLSWORTH^GWEN', dob: '19450817', sex: 'F' } as const;

/** Nobody holds the care-coordinator seat: the fallback pool (the supervisor) is told, flagged as a gap. */
export default {
  name: 'vacant coordinator: a readmission alert reaches the supervisor pool with a gap flag',
  setup: {
    patient: gwen,
    episode: { coordinator: 'coord1', coordinatorVacant: true, team: [{ user: 'doc1', role: 'primary-physician' }] },
  },
  messages: (base) => [visit(gwen, 'A01', 'V-1', base - 16 * DAY), visit(gwen, 'A03', 'V-1', base - 14 * DAY), visit(gwen, 'A01', 'V-2', base - 2 * DAY)],
  expected: {
    // Neither a coordinator nor a field clinician holds a seat: both gaps are named on the supervisor's row.
    alerts: [ADMISSION_ALERT, READMISSION_ALERT],
    recipients: [
      ['0:sup1:pool:supervisors gap=vacant:care-coordinator,vacant:field-clinician'],
      ['0:doc1:primary-physician', '0:sup1:pool:supervisors gap=vacant:care-coordinator,vacant:field-clinician'],
    ],
    // Tasks are assigned to roles, so the coordinator's go to the (vacant) role, not to a person.
    tasks: TOC_TASKS,
    escalations: [NO_ESCALATION, ESCALATING],
  },
} satisfies Scenario;
