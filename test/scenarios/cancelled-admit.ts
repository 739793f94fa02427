import { DAY, HOUR, visit, type Scenario } from './support.js';

const ada = { mrn: 'SC-A11B', name: 'FONTAINE^ADA', dob: '19420611', sex: 'F' } as const;

/** An admission entered in error: A01 then A11 an hour later. Its alert is withdrawn; no tasks. */
export default {
  name: 'cancelled admit (A01 then A11): the admission alert is withdrawn, no tasks',
  setup: { patient: ada, episode: { coordinator: 'coord1', team: [{ user: 'doc1', role: 'primary-physician' }, { user: 'nurse1', role: 'field-clinician' }] } },
  messages: (base) => [visit(ada, 'A01', 'V-1', base - 2 * DAY), visit(ada, 'A11', 'V-1', base - 2 * DAY + HOUR)],
  expected: {
    alerts: [{ rule: 'admission-home-health-hospice', reasons: ['admission-home-health-hospice'], severity: 'high', status: 'withdrawn', count: 0, resolution: 'withdrawn' }],
    recipients: [['0:coord1:care-coordinator', '0:nurse1:field-clinician']],
    tasks: [],
    escalations: [{ state: 'stopped', timers: [] }],
  },
} satisfies Scenario;
