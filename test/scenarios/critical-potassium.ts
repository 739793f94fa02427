import { readFileSync } from 'node:fs';
import { raw, type Scenario } from './support.js';

/** ../shared/hl7-samples/authored/oru_r01_critical_potassium_hh.hl7: K 6.8 mmol/L flagged HH (plus L, LL and N results). */
const ORU = readFileSync(new URL('../../../shared/hl7-samples/authored/oru_r01_critical_potassium_hh.hl7', import.meta.url), 'latin1');

export default {
  name: 'critical potassium (ORU, OBX-8 HH): one critical lab alert',
  setup: {
    patient: { mrn: 'M448812', name: 'OKAFOR^CHIDI^E', dob: '19470212', sex: 'M', authority: 'MERCY_HOSP' },
    episode: { coordinator: 'coord1', team: [{ user: 'doc1', role: 'primary-physician' }] },
  },
  messages: () => [raw(ORU)],
  expected: {
    alerts: [{ rule: 'critical-lab', reasons: ['critical-lab', 'abnormal-lab'], severity: 'critical', status: 'open', count: 1 }],
    recipients: [['0:coord1:care-coordinator', '0:doc1:primary-physician']],
    tasks: [],
    escalations: [{ state: 'active', timers: ['escalate:0:pending'] }],
  },
} satisfies Scenario;
