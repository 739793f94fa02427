import { ADMISSION_ALERT, DAY, ESCALATING, NO_ESCALATION, READMISSION_ALERT, TOC_TASKS, visit, type Scenario } from './support.js';

const felix = { mrn: 'SC-DUP', name: 'DRUMMOND^FELIX', dob: '19620930', sex: 'M' } as const;

/** The readmission A01 retransmitted (same MSH-10): one alert, its event count unchanged. */
export default {
  name: 'duplicate messages (the readmission sent twice): one alert, event_count 1',
  setup: { patient: felix, episode: { coordinator: 'coord1', team: [{ user: 'doc1', role: 'primary-physician' }] } },
  messages: (base) => {
    const readmit = visit(felix, 'A01', 'V-2', base - 2 * DAY, { controlId: `SC-DUP-READMIT-${base}` });
    return [visit(felix, 'A01', 'V-1', base - 16 * DAY), visit(felix, 'A03', 'V-1', base - 14 * DAY), readmit, readmit];
  },
  expected: {
    // No field clinician on this team: the admission reason's role is vacant, the supervisor pool is told.
    alerts: [ADMISSION_ALERT, READMISSION_ALERT],
    recipients: [
      ['0:coord1:care-coordinator', '0:sup1:pool:supervisors gap=vacant:field-clinician'],
      ['0:coord1:care-coordinator', '0:doc1:primary-physician', '0:sup1:pool:supervisors gap=vacant:field-clinician'],
    ],
    tasks: TOC_TASKS,
    escalations: [NO_ESCALATION, ESCALATING],
    // The retransmission is answered with the stored ACK and not logged again.
    logged: 3,
  },
} satisfies Scenario;
