import { ADMISSION_ALERT, DAY, HOUR, NO_ESCALATION, READMISSION_ALERT, TOC_TASKS, visit, type Scenario } from './support.js';

const iris = { mrn: 'SC-A11', name: 'CALLOWAY^IRIS', dob: '19390105', sex: 'F' } as const;

/** A readmission 7 days after discharge, cancelled (A11) an hour later: its alert is withdrawn; only the discharge's tasks stand. */
export default {
  name: 'cancelled readmission (A01 then A11): the readmission alert is withdrawn, the A11 creates no tasks',
  setup: { patient: iris, episode: { coordinator: 'coord1', team: [{ user: 'doc1', role: 'primary-physician' }] } },
  messages: (base) => [
    visit(iris, 'A01', 'V-1', base - 12 * DAY),
    visit(iris, 'A03', 'V-1', base - 10 * DAY),
    visit(iris, 'A01', 'V-2', base - 3 * DAY),
    visit(iris, 'A11', 'V-2', base - 3 * DAY + HOUR),
  ],
  expected: {
    // Withdrawn: no standing event (count 0), escalation stopped, its timer cancelled.
    alerts: [ADMISSION_ALERT, { ...READMISSION_ALERT, status: 'withdrawn', count: 0, resolution: 'withdrawn' }],
    recipients: [
      ['0:coord1:care-coordinator', '0:sup1:pool:supervisors gap=vacant:field-clinician'],
      ['0:coord1:care-coordinator', '0:doc1:primary-physician', '0:sup1:pool:supervisors gap=vacant:field-clinician'],
    ],
    // V-1's discharge (10 days ago) still stands: its tasks only.
    tasks: TOC_TASKS,
    escalations: [NO_ESCALATION, { state: 'stopped', timers: ['escalate:0:cancelled'] }],
  },
} satisfies Scenario;
