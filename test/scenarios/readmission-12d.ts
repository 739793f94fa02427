import { ADMISSION_ALERT, DAY, ESCALATING, NO_ESCALATION, READMISSION_ALERT, TOC_TASKS, visit, type Scenario } from './support.js';

const olive = { mrn: 'SC-R12', name: 'ABERNATHY^OLIVE', dob: '19440312', sex: 'F' } as const;

/** Admitted, discharged home, readmitted 12 days later: the 30-day readmission rule fires. */
export default {
  name: 'admit, discharge, readmit after 12 days: one critical readmission alert to the coordinator and the primary physician, TOC tasks from the discharge',
  setup: {
    patient: olive,
    episode: { coordinator: 'coord1', team: [{ user: 'doc1', role: 'primary-physician' }, { user: 'nurse1', role: 'field-clinician' }] },
  },
  messages: (base) => [
    visit(olive, 'A01', 'V-1', base - 17 * DAY),
    visit(olive, 'A03', 'V-1', base - 14 * DAY),
    visit(olive, 'A01', 'V-2', base - 2 * DAY),
  ],
  expected: {
    // V-1's admission, then V-2's readmission (its admission reason merged in): the readmission rule
    // names the coordinator and the primary physician, the admission reason the field clinician.
    alerts: [ADMISSION_ALERT, READMISSION_ALERT],
    recipients: [
      ['0:coord1:care-coordinator', '0:nurse1:field-clinician'],
      ['0:coord1:care-coordinator', '0:doc1:primary-physician', '0:nurse1:field-clinician'],
    ],
    tasks: TOC_TASKS,
    escalations: [NO_ESCALATION, ESCALATING],
  },
} satisfies Scenario;
