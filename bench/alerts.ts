/**
 * Alert benchmark (issue 5), part A: rule evaluation throughput, in process and pure. N realistic
 * evaluation contexts (built with the real buildContext: inpatient admissions, some readmissions,
 * ED registrations with prior ED visits, discharges, ORU results with critical/abnormal flags) are
 * evaluated with the real evaluateRules against (a) the built-in rule set and (b) 200 rules: the
 * built-ins plus generated CEL rules of similar complexity, each validated by the real validateRule
 * and compiled by compileRule. Baseline in the same run: the same rules with their conditions written
 * as plain TypeScript predicates (same trigger filter, same template rendering, same sort), the cost
 * floor without CEL; the ratio is printed, and the firings of both must agree (checked). A diagnostic
 * line gives the share of the CEL time spent in toCel (the context converted once per condition call).
 *
 * Part B (end to end, MLLP ACK -> SSE 'alert' p50/p99 at 500 msg/s against `carecoord serve`) is not
 * implemented yet.
 *
 * Environment: BENCH_EVENTS (contexts, 20000), BENCH_ALERT_RULES (total rules for (b), 200),
 * BENCH_MIN_MS (minimum measured time per case, 1500).
 * Run: npm run bench:alerts
 */
import { BUILTIN_RULES } from '../src/alerts/builtin.js';
import { buildContext, type AlertContext, type ContextInput } from '../src/alerts/context.js';
import { toCel } from '../src/alerts/cel.js';
import { evaluateRules } from '../src/alerts/evaluate.js';
import { compileRule, type CompiledRule, type RuleDefinition } from '../src/alerts/rule.js';
import type { ClinicalEvent } from '../src/store/events.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const TOTAL_RULES = Number(process.env.BENCH_ALERT_RULES ?? 200);
const MIN_MS = Number(process.env.BENCH_MIN_MS ?? 1500);

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 8, 0);

// ---------------------------------------------------------------- deterministic pseudo-random
let seed = 0x5eed;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

// ---------------------------------------------------------------- contexts
let nextId = 1;
function ev(over: Partial<ClinicalEvent> & { type: ClinicalEvent['type'] }): ClinicalEvent {
  return {
    id: nextId++, patientId: 1, encounterId: nextId, occurredAt: T0, recordedAt: T0, facility: 'GENHOSP', sourceEntryId: 1,
    messageType: 'ADT^A01', payload: {}, outOfOrder: false, withdrawnAt: null, withdrawnBy: null, ...over,
  };
}

const FACILITIES = ['GENHOSP', 'STMARY', 'MERCY', 'VALLEY'];
const EPISODES = [[], [], ['home-health'], ['hospice'], ['home-health', 'care-management']] as const;
const LABS = [
  { code: '2823-3', text: 'K', value: '6.8', units: 'mmol/L', flags: ['HH'], interpretation: 'critical-high' },
  { code: '2951-2', text: 'Na', value: '118', units: 'mmol/L', flags: ['LL'], interpretation: 'critical-low' },
  { code: '2345-7', text: 'GLU', value: '38', units: 'mg/dL', flags: ['LL'], interpretation: 'critical-low' },
  { code: '6690-2', text: 'WBC', value: '13.1', units: '10*3/uL', flags: ['H'], interpretation: 'high' },
  { code: '718-7', text: 'HGB', value: '9.8', units: 'g/dL', flags: ['L'], interpretation: 'low' },
  { code: '2160-0', text: 'CREAT', value: '1.9', units: 'mg/dL', flags: ['H'], interpretation: 'high' },
];
const CRITICAL_CODES = LABS.slice(0, 3).map((l) => l.code);
const ABNORMAL = LABS.slice(3);

function makeInput(): ContextInput {
  const facility = pick(FACILITIES);
  const at = T0 + Math.floor(rand() * 30 * DAY);
  const classes = new Map<number, string | null>();
  const base = {
    patient: { birthDate: `${1930 + Math.floor(rand() * 80)}-0${1 + Math.floor(rand() * 9)}-15`, sex: pick(['F', 'M']), deceased: false },
    episodeTypes: [...pick(EPISODES)],
    priorDischarges: [] as ClinicalEvent[],
    recentVisitEvents: [] as ClinicalEvent[],
    encounterClasses: classes,
  };
  const r = rand();
  if (r < 0.4) {
    // ORU^R01: a third normal, some critical, the rest abnormal
    const k = rand();
    const critical = k < 0.25 ? [pick(LABS.slice(0, 3))] : [];
    const abnormal = k < 0.33 ? [] : ABNORMAL.filter(() => rand() < 0.5);
    const e = ev({ type: 'observation', messageType: 'ORU^R01', facility, occurredAt: at, encounterId: null, payload: { summary: { critical, abnormal } } });
    return { ...base, event: e, encounter: null };
  }
  if (r < 0.65) {
    // ADT^A01 inpatient admission; half have an earlier inpatient discharge, some within 30 days
    const e = ev({ type: 'admit', messageType: 'ADT^A01', facility, occurredAt: at, payload: { trigger: 'A01', patientClass: 'I', hospitalService: pick(['MED', 'SUR', 'CAR']) } });
    if (rand() < 0.5) {
      const d = ev({ type: 'discharge', messageType: 'ADT^A03', facility: pick(FACILITIES), occurredAt: at - Math.floor(rand() * 90) * DAY - 3600_000, payload: { trigger: 'A03', patientClass: 'I' } });
      classes.set(d.encounterId!, 'I');
      base.priorDischarges.push(d);
      base.recentVisitEvents.push(ev({ type: 'admit', occurredAt: d.occurredAt - 3 * DAY, encounterId: d.encounterId, payload: { patientClass: 'I' } }));
    }
    return { ...base, event: e, encounter: { facility, patientClass: 'I', status: 'in-progress', hospitalService: 'MED', admittedAt: at } };
  }
  if (r < 0.85) {
    // ADT^A04 ED registration (PV1-2 E), with 0-4 earlier ED visits in 60 days
    const e = ev({ type: 'registration', messageType: 'ADT^A04', facility, occurredAt: at, payload: { trigger: 'A04', patientClass: 'E' } });
    classes.set(e.encounterId!, 'E');
    base.recentVisitEvents.push(e);
    for (let i = Math.floor(rand() * 5); i > 0; i--) {
      const v = ev({ type: 'registration', occurredAt: at - Math.floor(rand() * 59 + 1) * DAY, payload: { patientClass: 'E' } });
      classes.set(v.encounterId!, 'E');
      base.recentVisitEvents.push(v);
    }
    return { ...base, event: e, encounter: { facility, patientClass: 'E', status: 'in-progress', hospitalService: 'EM', admittedAt: at } };
  }
  // ADT^A03 discharge, some expired (PV1-36 20)
  const e = ev({ type: 'discharge', messageType: 'ADT^A03', facility, occurredAt: at, payload: { trigger: 'A03', patientClass: 'I', disposition: rand() < 0.1 ? '20' : '01' } });
  return { ...base, event: e, encounter: { facility, patientClass: 'I', status: 'finished', hospitalService: 'MED', admittedAt: at - 4 * DAY } };
}

// ---------------------------------------------------------------- rules: CEL and the same conditions in TypeScript
type Pred = (c: AlertContext) => boolean;
const isEd: Pred = (c) => c.event.patientClass === 'E' || c.encounter.patientClass === 'E';
const isIn: Pred = (c) => c.event.patientClass === 'I' || c.encounter.patientClass === 'I';
const IS_ED = '(event.patientClass == "E" || encounter.patientClass == "E")';
const IS_INPATIENT = '(event.patientClass == "I" || encounter.patientClass == "I")';

const BUILTIN_TS: Record<string, Pred> = {
  'readmission-30d': (c) => isIn(c) && c.history.lastInpatientDischarge.present && c.history.lastInpatientDischarge.daysSince >= 0 && c.history.lastInpatientDischarge.daysSince <= 30,
  'ed-visit': isEd,
  'ed-high-utilizer': (c) => isEd(c) && c.history.edVisits60d >= 3,
  'admission-home-health-hospice': (c) => isIn(c) && (c.episodes.types.includes('home-health') || c.episodes.types.includes('hospice')),
  'patient-deceased': () => true,
  'critical-lab': (c) => c.event.lab.critical > 0,
  'abnormal-lab': (c) => c.event.lab.abnormal > 0,
};

const VISIT: RuleDefinition['trigger']['eventTypes'] = ['admit', 'registration', 'transfer', 'class-change', 'visit-update'];

/** Generated rule k: a CEL condition of the built-ins' complexity and its TypeScript twin. */
function generated(k: number): { def: RuleDefinition; ts: Pred } {
  const n = k % 7;
  const common = { severity: pick(['high', 'medium', 'low'] as const), recipients: ['care-coordinator'] as RuleDefinition['recipients'], channels: ['in-app'] as RuleDefinition['channels'], escalationPolicy: null, suppressionMinutes: 0 };
  const age = 50 + (k % 40);
  switch (n) {
    case 0:
      return { def: { ...common, name: `ED visit aged ${age}+ (${k})`, trigger: { eventTypes: VISIT }, condition: `${IS_ED} && patient.age >= ${age}`, title: 'ED visit, age {{patient.age}}', message: 'ED visit at {{event.facility}}, age {{patient.age}}.' }, ts: (c) => isEd(c) && c.patient.age >= age };
    case 1: {
      const days = 7 + (k % 60);
      return { def: { ...common, name: `Readmission within ${days} days (${k})`, trigger: { eventTypes: VISIT }, condition: `${IS_INPATIENT} && history.lastDischarge.present && history.lastDischarge.daysSince >= 0 && history.lastDischarge.daysSince <= ${days}`, title: 'Readmission', message: 'Admitted to {{event.facility}} {{history.lastDischarge.daysSince}} days after {{history.lastDischarge.facility}}.' },
        ts: (c) => isIn(c) && c.history.lastDischarge.present && c.history.lastDischarge.daysSince >= 0 && c.history.lastDischarge.daysSince <= days };
    }
    case 2: {
      const code = CRITICAL_CODES[k % CRITICAL_CODES.length]!;
      return { def: { ...common, name: `Critical ${code} (${k})`, trigger: { eventTypes: ['observation'] }, condition: `event.lab.critical > 0 && "${code}" in event.lab.criticalCodes && patient.age >= ${age - 50}`, title: 'Critical {{event.lab.criticalCodes}}', message: 'Critical result: {{event.lab.criticalText}}.' },
        ts: (c) => c.event.lab.critical > 0 && c.event.lab.criticalCodes.includes(code) && c.patient.age >= age - 50 };
    }
    case 3: {
      const min = 1 + (k % 3);
      return { def: { ...common, name: `Abnormal results on an episode (${k})`, trigger: { eventTypes: ['observation'] }, condition: `event.lab.abnormal >= ${min} && episodes.count > 0 && ("H" in event.lab.flags || "L" in event.lab.flags)`, title: 'Abnormal results', message: 'Abnormal: {{event.lab.abnormalText}} ({{episodes.types}}).' },
        ts: (c) => c.event.lab.abnormal >= min && c.episodes.count > 0 && (c.event.lab.flags.includes('H') || c.event.lab.flags.includes('L')) };
    }
    case 4: {
      const visits = 2 + (k % 4);
      const type = k % 2 ? 'home-health' : 'hospice';
      return { def: { ...common, name: `ED utilizer on ${type} (${k})`, trigger: { eventTypes: VISIT }, condition: `${IS_ED} && history.edVisits60d >= ${visits} && "${type}" in episodes.types`, title: 'Frequent ED use', message: '{{history.edVisits60d}} ED visits in 60 days.' },
        ts: (c) => isEd(c) && c.history.edVisits60d >= visits && c.episodes.types.includes(type) };
    }
    case 5: {
      const svc = ['MED', 'SUR', 'CAR'][k % 3]!;
      return { def: { ...common, name: `Discharge from ${svc} (${k})`, trigger: { eventTypes: ['discharge'] }, condition: `event.disposition in ["20", "40", "41", "42"] || (encounter.hospitalService == "${svc}" && patient.age >= ${age})`, title: 'Discharge', message: 'Discharged from {{event.facility}} ({{event.disposition}}).' },
        ts: (c) => ['20', '40', '41', '42'].includes(c.event.disposition) || (c.encounter.hospitalService === svc && c.patient.age >= age) };
    }
    default: {
      const sex = k % 2 ? 'F' : 'M';
      return { def: { ...common, name: `Admission aged ${age}+ ${sex} (${k})`, trigger: { eventTypes: VISIT }, condition: `${IS_INPATIENT} && patient.age >= ${age} && patient.sex == "${sex}" && history.inpatientAdmissions30d >= 1`, title: 'Admission', message: 'Admitted to {{event.facility}} at {{patient.age}}.' },
        ts: (c) => isIn(c) && c.patient.age >= age && c.patient.sex === sex && c.history.inpatientAdmissions30d >= 1 };
    }
  }
}

interface RuleSets { cel: CompiledRule[]; ts: CompiledRule[] }

function ruleSets(total: number): RuleSets {
  const cel: CompiledRule[] = [];
  const ts: CompiledRule[] = [];
  for (const [id, def] of Object.entries(BUILTIN_RULES)) {
    const c = compileRule(id, 1, def); // the real validation and compilation
    cel.push(c);
    ts.push({ ...c, condition: BUILTIN_TS[id]! });
  }
  for (let k = 0; cel.length < total; k++) {
    const g = generated(k);
    const c = compileRule(`gen-${k}`, 1, JSON.parse(JSON.stringify(g.def)));
    cel.push(c);
    ts.push({ ...c, condition: g.ts });
  }
  return { cel, ts };
}

// ---------------------------------------------------------------- measurement
function throughput(rules: readonly CompiledRule[], ctxs: readonly AlertContext[]): { perSec: number; firings: number; failures: number } {
  for (let i = 0; i < Math.min(ctxs.length, 2000); i++) evaluateRules(rules, ctxs[i]!); // warm up
  let evaluated = 0;
  let firings = 0;
  let failures = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (const c of ctxs) {
      const r = evaluateRules(rules, c);
      firings += r.firings.length;
      failures += r.failures.length;
    }
    evaluated += ctxs.length;
    elapsed = performance.now() - t0;
  } while (elapsed < MIN_MS);
  const passes = evaluated / ctxs.length;
  return { perSec: (evaluated / elapsed) * 1000, firings: firings / passes, failures: failures / passes };
}

function partA(): void {
  const inputs = Array.from({ length: EVENTS }, makeInput);
  const ctxs = inputs.map(buildContext);
  const mix = new Map<string, number>();
  for (const c of ctxs) mix.set(`${c.event.type}${c.event.patientClass ? `/${c.event.patientClass}` : ''}`, (mix.get(`${c.event.type}${c.event.patientClass ? `/${c.event.patientClass}` : ''}`) ?? 0) + 1);
  console.log(`part A: ${EVENTS} contexts (${[...mix].map(([k, v]) => `${k} ${v}`).join(', ')})`);

  const t0 = performance.now();
  const builtin = ruleSets(Object.keys(BUILTIN_RULES).length);
  const many = ruleSets(TOTAL_RULES);
  console.log(`rules validated and compiled: ${builtin.cel.length} built-in, ${many.cel.length} in the large set (${(performance.now() - t0).toFixed(0)} ms)`);

  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const rows: [string, RuleSets][] = [[`built-in (${builtin.cel.length} rules)`, builtin], [`${many.cel.length} rules`, many]];
  let ok = true;
  for (const [label, set] of rows) {
    const cel = throughput(set.cel, ctxs);
    const ts = throughput(set.ts, ctxs);
    const agree = cel.firings === ts.firings && cel.failures === 0;
    ok &&= agree;
    console.log(`${label}:`);
    console.log(`  carecoord (CEL)     : ${fmt(cel.perSec)} events/s (${cel.firings} firings per pass, ${cel.failures} failures)`);
    console.log(`  baseline (TS preds) : ${fmt(ts.perSec)} events/s (${ts.firings} firings per pass)`);
    console.log(`  ratio baseline/CEL  : x${(ts.perSec / cel.perSec).toFixed(1)} (CEL costs ${((1e6 / cel.perSec) - (1e6 / ts.perSec)).toFixed(1)} us per event more); firings agree: ${agree ? 'yes' : 'NO'}`);
  }
  // Where the CEL time goes: each condition call converts the whole context (toCel, ints to BigInt) first.
  const calls = ctxs.reduce((a, c) => a + many.cel.filter((r) => r.definition.trigger.eventTypes.includes(c.event.type as never)).length, 0) / ctxs.length;
  let sink = 0;
  const t1 = performance.now();
  let conv = 0;
  while (performance.now() - t1 < MIN_MS / 3) for (const c of ctxs) { sink += (toCel(c) as object) ? 1 : 0; conv++; }
  const usPerConv = ((performance.now() - t1) * 1000) / conv;
  console.log(`diagnostic: toCel(context) ${usPerConv.toFixed(2)} us per call; ${calls.toFixed(1)} condition calls per event with ${many.cel.length} rules -> ~${(usPerConv * calls).toFixed(0)} us per event spent converting`);
  if (sink !== conv) throw new Error('toCel returned nothing');
  if (!ok) process.exitCode = 1;
}

partA();
