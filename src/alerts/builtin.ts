/**
 * The rules carecoord ships, seeded enabled (version 1, `builtin`) the first time the engine or the
 * CLI meets a database without them (alerts/rules-store.ts ensureBuiltinRules). They are ordinary
 * rules afterwards: an administrator may disable them or save new versions. Each names its source.
 *
 * Left for later: the missed scheduled visit (a care-plan visit past due without a visit event) is a
 * timer, not a clinical event; transition-of-care tasks and schedule holds are an EventReaction
 * (src/transitions).
 */
import type { RuleDefinition } from './rule.js';

const VISIT_EVENTS: RuleDefinition['trigger']['eventTypes'] = ['admit', 'registration', 'transfer', 'class-change', 'visit-update'];
const IS_ED = '(event.patientClass == "E" || encounter.patientClass == "E")';
const IS_INPATIENT = '(event.patientClass == "I" || encounter.patientClass == "I")';

export const BUILTIN_RULES: Readonly<Record<string, RuleDefinition>> = {
  // CMS Hospital Readmissions Reduction Program (Social Security Act §1886(q), 42 CFR 412.150-412.154):
  // an inpatient admission to any acute care hospital within 30 days of an inpatient discharge.
  // Every message of the readmission visit fires it, so its A08/A02/A03 update the one alert of the visit.
  // Escalation: the 'default' policy (src/escalation) escalates a critical alert after 15 minutes unacknowledged.
  'readmission-30d': {
    name: 'Readmission within 30 days of a hospital discharge',
    source: 'CMS Hospital Readmissions Reduction Program (42 CFR 412.150-412.154)',
    trigger: { eventTypes: VISIT_EVENTS },
    condition: `${IS_INPATIENT} && history.lastInpatientDischarge.present && history.lastInpatientDischarge.daysSince >= 0 && history.lastInpatientDischarge.daysSince <= 30`,
    severity: 'critical',
    recipients: ['care-coordinator', 'primary-physician'],
    channels: ['push', 'sms', 'in-app'],
    escalationPolicy: 'default',
    title: 'Readmission within 30 days',
    message: 'Admitted to {{event.facility}} {{history.lastInpatientDischarge.daysSince}} days after discharge from {{history.lastInpatientDischarge.facility}} ({{history.lastInpatientDischarge.at}}).',
    suppressionMinutes: 0,
  },
  // HL7 v2 table 0004 patient class E (emergency): an A04 registration or any message of an ED encounter.
  // NCQA HEDIS Emergency Department Utilization (EDU) counts these visits.
  'ed-visit': {
    name: 'Emergency department visit',
    source: 'HL7 v2 table 0004 (patient class E); NCQA HEDIS Emergency Department Utilization (EDU)',
    trigger: { eventTypes: VISIT_EVENTS },
    condition: IS_ED,
    severity: 'high',
    recipients: ['care-coordinator'],
    channels: ['in-app', 'push'],
    escalationPolicy: null,
    title: 'Emergency department visit',
    message: 'Emergency department visit at {{event.facility}}.',
    suppressionMinutes: 0,
  },
  // NCQA HEDIS Emergency Department Utilization (EDU); frequent ED use as 3 or more visits in 60 days.
  'ed-high-utilizer': {
    name: 'High emergency department utilizer',
    source: 'NCQA HEDIS Emergency Department Utilization (EDU): 3 or more ED visits in 60 days',
    trigger: { eventTypes: VISIT_EVENTS },
    condition: `${IS_ED} && history.edVisits60d >= 3`,
    severity: 'high',
    recipients: ['care-coordinator'],
    channels: ['in-app', 'push'],
    escalationPolicy: null,
    title: 'High emergency department utilizer',
    message: '{{history.edVisits60d}} emergency department visits in 60 days (latest at {{event.facility}}).',
    suppressionMinutes: 0,
  },
  // CMS Home Health Conditions of Participation 42 CFR 484.55(d) (resumption of care after an inpatient
  // stay) and hospice 42 CFR 418: the agency must know of an inpatient admission of its patient.
  'admission-home-health-hospice': {
    name: 'Inpatient admission during a home-health or hospice episode',
    source: 'CMS Home Health CoP 42 CFR 484.55(d); Hospice CoP 42 CFR 418',
    trigger: { eventTypes: ['admit', 'class-change'] },
    condition: `${IS_INPATIENT} && ("home-health" in episodes.types || "hospice" in episodes.types)`,
    severity: 'high',
    recipients: ['care-coordinator', 'field-clinician'],
    channels: ['in-app', 'push'],
    escalationPolicy: null,
    title: 'Inpatient admission during {{episodes.types}} care',
    message: 'Admitted as an inpatient to {{event.facility}} while in an active {{episodes.types}} episode.',
    suppressionMinutes: 0,
  },
  // HL7 v2.5.1 PID-29/PID-30 (death date, indicator) and PV1-36 discharge disposition expired (table 0112: 20, 40-42).
  'patient-deceased': {
    name: 'Patient deceased',
    source: 'HL7 v2.5.1 PID-29/PID-30; PV1-36 discharge disposition (table 0112: 20, 40, 41, 42)',
    trigger: { eventTypes: ['death'] },
    condition: 'true',
    severity: 'high',
    recipients: ['care-coordinator', 'primary-physician'],
    channels: ['in-app', 'push'],
    escalationPolicy: null,
    title: 'Patient deceased',
    message: 'Death recorded by {{event.facility}} ({{event.occurredAt}}).',
    suppressionMinutes: 1440,
  },
  // HL7 v2 table 0078 (OBX-8): HH, LL, AA and the senders' critical words (oru/interpret.ts); The Joint
  // Commission NPSG.02.03.01: critical results reported to the responsible caregiver on time.
  'critical-lab': {
    name: 'Critical laboratory result',
    source: 'HL7 v2 table 0078 (OBX-8 HH, LL, AA, critical); The Joint Commission NPSG.02.03.01',
    trigger: { eventTypes: ['observation'] },
    condition: 'event.lab.critical > 0',
    severity: 'critical',
    recipients: ['care-coordinator', 'primary-physician'],
    channels: ['push', 'sms', 'in-app'],
    escalationPolicy: 'default',
    title: 'Critical laboratory result',
    message: 'Critical result from {{event.facility}}: {{event.lab.criticalText}}.',
    suppressionMinutes: 60,
  },
  // HL7 v2 table 0078 (OBX-8): H, L, A (and the off-scale < and >): at most medium.
  'abnormal-lab': {
    name: 'Abnormal laboratory result',
    source: 'HL7 v2 table 0078 (OBX-8 H, L, A)',
    trigger: { eventTypes: ['observation'] },
    condition: 'event.lab.abnormal > 0',
    severity: 'medium',
    recipients: ['care-coordinator'],
    channels: ['in-app'],
    escalationPolicy: null,
    title: 'Abnormal laboratory result',
    message: 'Abnormal result from {{event.facility}}: {{event.lab.abnormalText}}.',
    suppressionMinutes: 1440,
  },
};
