import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from './builtin.js';
import { buildContext, ageAt } from './context.js';
import { AlertErrorCode } from './errors.js';
import { evaluateRules } from './evaluate.js';
import { compileRule, validateRule, type CompiledRule } from './rule.js';
import { renderTemplate } from './template.js';
import { DAY, T0, event, input } from './testing.js';

const builtins: CompiledRule[] = Object.entries(BUILTIN_RULES).map(([id, d]) => compileRule(id, 1, d));
const draft = () => structuredClone(BUILTIN_RULES['ed-visit']!) as unknown as Record<string, unknown>;
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { code?: string; field?: string }).code + ':' + (err as { field?: string }).field;
  }
  return 'none';
};

describe('rule validation on save', () => {
  it('accepts every built-in rule', () => {
    expect(builtins.map((r) => r.id)).toContain('readmission-30d');
  });
  it('refuses a condition that does not parse, with its code', () => {
    expect(codeOf(() => validateRule({ ...draft(), condition: 'event.type ==' }))).toBe(`${AlertErrorCode.ConditionSyntax}:condition`);
  });
  it('refuses a condition naming an unknown field or comparing mismatched types', () => {
    expect(codeOf(() => validateRule({ ...draft(), condition: 'event.nope == "x"' }))).toBe(`${AlertErrorCode.ConditionType}:condition`);
    expect(codeOf(() => validateRule({ ...draft(), condition: 'history.edVisits60d == "3"' }))).toBe(`${AlertErrorCode.ConditionType}:condition`);
  });
  it('refuses a condition that is not a bool', () => {
    expect(codeOf(() => validateRule({ ...draft(), condition: 'event.facility' }))).toBe(`${AlertErrorCode.ConditionType}:condition`);
  });
  it('refuses unknown placeholders and unclosed braces in templates', () => {
    expect(codeOf(() => validateRule({ ...draft(), message: 'at {{event.place}}' }))).toBe(`${AlertErrorCode.UnknownPlaceholder}:message`);
    expect(codeOf(() => validateRule({ ...draft(), title: 'at {{event.facility' }))).toBe(`${AlertErrorCode.UnknownPlaceholder}:title`);
    expect(codeOf(() => validateRule({ ...draft(), message: '{{ constructor }}' }))).toBe(`${AlertErrorCode.UnknownPlaceholder}:message`);
  });
  it('refuses values outside the closed sets and unknown fields', () => {
    expect(codeOf(() => validateRule({ ...draft(), severity: 'urgent' }))).toBe(`${AlertErrorCode.InvalidRule}:severity`);
    expect(codeOf(() => validateRule({ ...draft(), recipients: ['care-coordinator', 'janitor'] }))).toBe(`${AlertErrorCode.InvalidRule}:recipients[1]`);
    expect(codeOf(() => validateRule({ ...draft(), channels: ['fax'] }))).toBe(`${AlertErrorCode.InvalidRule}:channels[0]`);
    expect(codeOf(() => validateRule({ ...draft(), trigger: { eventTypes: ['lunch'] } }))).toBe(`${AlertErrorCode.InvalidRule}:trigger.eventTypes[0]`);
    expect(codeOf(() => validateRule({ ...draft(), script: 'x' }))).toBe(`${AlertErrorCode.InvalidRule}:script`);
    expect(codeOf(() => validateRule({ ...draft(), suppressionMinutes: -1 }))).toBe(`${AlertErrorCode.InvalidRule}:suppressionMinutes`);
  });
});

describe('the evaluation context', () => {
  it('measures days since the last inpatient discharge from the start of this visit, at any facility', () => {
    const d = event({ type: 'discharge', encounterId: 5, facility: 'MERCY', occurredAt: T0 - 12 * DAY - 3_600_000, payload: { patientClass: 'I' } });
    const e = event({ type: 'visit-update', occurredAt: T0 + 2 * DAY });
    const ctx = buildContext(input(e, { encounter: { facility: 'GENHOSP', patientClass: 'I', status: 'in-progress', hospitalService: null, admittedAt: T0 }, priorDischarges: [d] }));
    expect(ctx.history.lastInpatientDischarge).toMatchObject({ present: true, facility: 'MERCY', daysSince: 12, patientClass: 'I' });
    expect(ctx.event.patientClass).toBe('I');
  });
  it('takes a discharge class from its encounter when the A03 has no PV1-2, and skips ED discharges for the inpatient one', () => {
    const ed = event({ type: 'discharge', encounterId: 7, occurredAt: T0 - 2 * DAY });
    const ip = event({ type: 'discharge', encounterId: 6, occurredAt: T0 - 20 * DAY });
    const ctx = buildContext(input(event({ type: 'admit' }), { priorDischarges: [ed, ip], encounterClasses: new Map([[7, 'E'], [6, 'I']]) }));
    expect(ctx.history.lastDischarge).toMatchObject({ daysSince: 2, patientClass: 'E' });
    expect(ctx.history.lastInpatientDischarge).toMatchObject({ daysSince: 20, patientClass: 'I' });
  });
  it('counts distinct ED visits in the last 60 days, this one included', () => {
    const visits = [1, 1, 2, 3].map((enc, i) => event({ type: i === 1 ? 'visit-update' : 'registration', encounterId: enc, occurredAt: T0 - (40 - i) * DAY, payload: { patientClass: 'E' } }));
    const e = event({ type: 'registration', encounterId: 4, payload: { patientClass: 'E' } });
    expect(buildContext(input(e, { recentVisitEvents: [...visits, e] })).history.edVisits60d).toBe(4);
  });
  it('summarises critical and abnormal results of an observation event', () => {
    const crit = { code: '2823-3', text: 'K', value: '6.8', units: 'mmol/L', flags: ['HH'], interpretation: 'critical-high' };
    const e = event({ type: 'observation', payload: { summary: { critical: [crit], abnormal: [{ code: 'X', flags: ['L'], interpretation: 'low' }] } } });
    const lab = buildContext(input(e)).event.lab;
    expect(lab).toMatchObject({ critical: 1, abnormal: 1, flags: ['HH', 'L'], criticalText: 'K 6.8 mmol/L (HH)', criticalCodes: ['2823-3'] });
  });
  it('gives ages in whole years and -1 when the birth date is unknown', () => {
    expect(ageAt('1950-11-02', T0)).toBe(75);
    expect(ageAt('1950-11-01', T0)).toBe(76);
    expect(ageAt(null, T0)).toBe(-1);
  });
});

describe('built-in rules', () => {
  const fire = (ctxInput: ReturnType<typeof input>) => evaluateRules(builtins, buildContext(ctxInput)).firings.map((f) => `${f.ruleId}:${f.severity}`);
  const discharge = (days: number) => event({ type: 'discharge', encounterId: 5, facility: 'MERCY', occurredAt: T0 - days * DAY, payload: { patientClass: 'I' } });

  it('a readmission 12 days after a discharge is critical and names the facility and the days', () => {
    const r = evaluateRules(builtins, buildContext(input(event({ type: 'admit', payload: { patientClass: 'I' } }), { priorDischarges: [discharge(12)] })));
    expect(r.firings.map((f) => f.ruleId)).toEqual(['readmission-30d']);
    expect(r.firings[0]!.severity).toBe('critical');
    expect(r.firings[0]!.text).toContain('12 days after discharge from MERCY');
  });
  it('no readmission after 45 days', () => {
    expect(fire(input(event({ type: 'admit', payload: { patientClass: 'I' } }), { priorDischarges: [discharge(45)] }))).toEqual([]);
  });
  it('an ED registration is high; a third in 60 days adds the high-utilizer reason', () => {
    const e = event({ type: 'registration', payload: { patientClass: 'E' } });
    expect(fire(input(e, { encounter: null }))).toEqual(['ed-visit:high']);
    const prior = [1, 2].map((enc) => event({ type: 'registration', encounterId: enc, occurredAt: T0 - enc * 10 * DAY, payload: { patientClass: 'E' } }));
    expect(fire(input(e, { recentVisitEvents: [...prior, e] }))).toEqual(['ed-high-utilizer:high', 'ed-visit:high']);
  });
  it('an inpatient admission during a hospice episode', () => {
    expect(fire(input(event({ type: 'admit', payload: { patientClass: 'I' } }), { episodeTypes: ['hospice'] }))).toEqual(['admission-home-health-hospice:high']);
  });
  it('a death', () => {
    expect(fire(input(event({ type: 'death' })))).toEqual(['patient-deceased:high']);
  });
  it('a critical result is critical, an abnormal one medium', () => {
    const obs = (critical: unknown[], abnormal: unknown[]) => event({ type: 'observation', messageType: 'ORU^R01', payload: { summary: { critical, abnormal } } });
    expect(fire(input(obs([{ flags: ['HH'] }], [])))).toEqual(['critical-lab:critical']);
    expect(fire(input(obs([], [{ flags: ['H'] }])))).toEqual(['abnormal-lab:medium']);
    expect(fire(input(obs([], [])))).toEqual([]);
  });
  it('templates substitute values and never evaluate them', () => {
    const ctx = buildContext(input(event({ type: 'admit', facility: '{{event.type}}' })));
    expect(renderTemplate('at {{event.facility}} on {{ event.occurredAt }} ({{patient.deceased}})', ctx)).toBe('at {{event.type}} on 2026-11-01T08:00Z (no)');
  });
});
