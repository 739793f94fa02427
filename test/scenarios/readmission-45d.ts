import { ADMISSION_ALERT, DAY, NO_ESCALATION, visit, type Scenario } from './support.js';

const hugo = { mrn: 'SC-R45', name: 'BRANDT^HUGO', dob: '19510723', sex: 'M' } as const;

/** Readmitted 45 days after the discharge: outside the 30-day window, no readmission alert. */
export default {
  name: 'admit, discharge, readmit after 45 days: no readmission alert',
  setup: {
    patient: hugo,
    episode: { coordinator: 'coord1', team: [{ user: 'doc1', role: 'primary-physician' }, { user: 'nurse1', role: 'field-clinician' }] },
  },
  messages: (base) => [
    visit(hugo, 'A01', 'V-1', base - 50 * DAY),
    visit(hugo, 'A03', 'V-1', base - 47 * DAY),
    visit(hugo, 'A01', 'V-2', base - 2 * DAY),
  ],
  expected: {
    // Two admissions, each its own high alert; no readmission. The discharge is 47 days old: its
    // transition-of-care windows have passed, so it creates no tasks.
    alerts: [ADMISSION_ALERT, ADMISSION_ALERT],
    recipients: [['0:coord1:care-coordinator', '0:nurse1:field-clinician'], ['0:coord1:care-coordinator', '0:nurse1:field-clinician']],
    tasks: [],
    escalations: [NO_ESCALATION, NO_ESCALATION],
  },
} satisfies Scenario;
