/**
 * Alert benchmark (issue 5), part A: rule evaluation throughput, in process and pure. N realistic
 * evaluation contexts (built with the real buildContext: inpatient admissions, some readmissions,
 * ED registrations with prior ED visits, discharges, ORU results with critical/abnormal flags) are
 * evaluated with the real evaluateRules against (a) the built-in rule set and (b) 200 rules: the
 * built-ins plus generated CEL rules of similar complexity, each validated by the real validateRule
 * and compiled by compileRule. Baseline in the same run: the same rules with their conditions written
 * as plain TypeScript predicates (same trigger filter, same template rendering, same sort), the cost
 * floor without CEL; the ratio is printed, and the firings of both must agree (checked). A diagnostic
 * line gives the cost of toCel, the context's conversion to CEL values (once per event: compileCondition
 * caches it per context; before that it ran once per condition call).
 *
 * Part B, end to end: a real `carecoord serve` child (bench/lib/children.ts) on a data dir seeded
 * beforehand with BENCH_PATIENTS patients, each on a home-health episode whose coordinator has an SSE
 * stream open (GET /api/stream, over the default self-signed HTTPS); ADT^A04 ED registrations (PV1-2 E, a visit number of their own, so
 * each raises a new 'ed-visit' alert) at BENCH_RATE msg/s for BENCH_SECONDS over MLLP; latency from
 * the ACK to the 'alert' event at the coordinator's stream, p50/p99. Baseline in the same run: a
 * second serve child, seeded the same, with every alert rule disabled; ACK to the message's
 * 'clinical-event' at the same stream (ingest, processing and the real-time path, no rule firing).
 *
 * Environment: BENCH_EVENTS (contexts, 20000), BENCH_ALERT_RULES (total rules for (b), 200),
 * BENCH_MIN_MS (minimum measured time per case, 1500), BENCH_PATIENTS (500), BENCH_RATE (500),
 * BENCH_SECONDS (10), BENCH_PART (A, B or both).
 * Run: npm run bench:alerts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_RULES } from '../src/alerts/builtin.js';
import { buildContext, type AlertContext, type ContextInput } from '../src/alerts/context.js';
import { toCel } from '../src/alerts/cel.js';
import { evaluateRules } from '../src/alerts/evaluate.js';
import { compileRule, type CompiledRule, type RuleDefinition } from '../src/alerts/rule.js';
import type { ClinicalEvent } from '../src/store/events.js';
import { BENCH_MASTER_KEY, killAllChildren, startCarecoord } from './lib/children.js';
import { now, pace, percentiles, readSseFrames } from './lib/timing.js';

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
  // The conversion each event pays once (toCel, ints to BigInt), against what it would cost per condition call.
  const calls = ctxs.reduce((a, c) => a + many.cel.filter((r) => r.definition.trigger.eventTypes.includes(c.event.type as never)).length, 0) / ctxs.length;
  let sink = 0;
  const t1 = performance.now();
  let conv = 0;
  while (performance.now() - t1 < MIN_MS / 3) for (const c of ctxs) { sink += (toCel(c) as object) ? 1 : 0; conv++; }
  const usPerConv = ((performance.now() - t1) * 1000) / conv;
  console.log(`diagnostic: toCel(context) ${usPerConv.toFixed(2)} us per call; ${calls.toFixed(1)} condition calls per event with ${many.cel.length} rules -> converted once per event (~${usPerConv.toFixed(0)} us), not per call (~${(usPerConv * calls).toFixed(0)} us)`);
  if (sink !== conv) throw new Error('toCel returned nothing');
  if (!ok) process.exitCode = 1;
}

// ---------------------------------------------------------------- part B: end to end
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 500);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function withStore<T>(dataDir: string, fn: (store: import('../src/store/open.js').Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../src/store/open.js');
  const { masterKeyFrom } = await import('../src/keys/index.js');
  const store = await openStore({ dataDir, masterKey: masterKeyFrom(Buffer.from(BENCH_MASTER_KEY, 'base64')) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** SSE streams; every 'alert' and 'clinical-event' frame is kept as [kind, refId, arrival time]. */
function openStreams(url: string, cookies: string[]): Promise<{ received: [string, number, number][]; failed: number; close: () => void }> {
  const received: [string, number, number][] = [];
  const reqs: ReturnType<typeof request>[] = [];
  let failed = 0;
  let lastStatus = '';
  const open = (cookie: string) => new Promise<void>((resolve) => {
    const req = request(url, { headers: { accept: 'text/event-stream', cookie }, agent: false, rejectUnauthorized: false }, (res) => {
      if (res.statusCode !== 200) { failed++; lastStatus = `${res.statusCode}`; res.resume(); return resolve(); }
      readSseFrames(res, resolve, (block, t) => {
        const kind = /^event: (.+)$/m.exec(block)?.[1];
        const ref = /"refId":(\d+)/.exec(block)?.[1];
        if (kind && ref) received.push([kind, Number(ref), t]);
      });
    });
    req.on('error', () => { failed++; resolve(); });
    req.end();
    reqs.push(req);
  });
  return (async () => {
    for (let i = 0; i < cookies.length; i += 100) await Promise.all(cookies.slice(i, i + 100).map(open));
    if (failed) console.log(`streams: ${failed} failed (last status ${lastStatus})`);
    return { received, failed, close: () => reqs.forEach((r) => r.destroy()) };
  })();
}

interface E2e {
  label: string;
  count: number;
  sendSeconds: number;
  nacks: number;
  alerts: number;
  drainSeconds: number;
  conns: number;
  ack: { p50: number; p99: number; n: number };
  alert: { p50: number; p99: number; n: number };
  event: { p50: number; p99: number; n: number };
  processing: { p50: number; p99: number; n: number };
}

/** One serve child, seeded and driven; `alerts` false: every alert rule disabled before it starts (the baseline). */
async function runServe(alertsOn: boolean): Promise<E2e> {
  const { loadConfig } = await import('../src/config.js');
  const { addUser } = await import('../src/care/user-service.js');
  const { createEpisode } = await import('../src/care/episode-service.js');
  const { insertTestPatient } = await import('../src/store/care/test-fixtures.js');
  const { startSession } = await import('../src/auth/session-service.js');
  const { cookieName } = await import('../src/auth/http.js');
  const { MllpClient } = await import('../src/mllp/index.js');

  const dataDir = mkdtempSync(join(tmpdir(), 'carecoord-bench-alerts-'));
  const config = loadConfig({ CARECOORD_DATA_DIR: dataDir, CARECOORD_LOG_LEVEL: 'silent' });
  const t0 = Date.now();
  const cookies = await withStore(dataDir, async ({ db }) => {
    const out: string[] = [];
    for (let p = 0; p < PATIENTS; p++) {
      const patientId = await insertTestPatient(db, { mrn: `ALB${p}` });
      const user = await addUser(db, { username: `al${p}`, displayName: `AL ${p}`, roles: ['coordinator'] }, t0, 'bench');
      await createEpisode(db, { patientId, type: 'home-health', status: 'active', startAt: t0, coordinatorUserId: user.id }, t0, 'bench');
      const s = await startSession(db, user.id, config.auth, { ip: '127.0.0.1', userAgent: 'bench' }, Date.now());
      out.push(`${cookieName(config.auth)}=${s.token}`);
    }
    if (!alertsOn) {
      const { ensureBuiltinRules } = await import('../src/alerts/rules.js');
      await ensureBuiltinRules(db, t0);
      await db.updateTable('alert_rule').set({ enabled: 0 }).execute();
    }
    return out;
  });
  const server = await startCarecoord(dataDir);
  try {
    const ready = server.lines.map((l) => { try { return JSON.parse(l) as { msg?: string; httpPort?: number }; } catch { return {}; } }).find((e) => e.msg === 'carecoord ready');
    if (!ready?.httpPort) throw new Error('no HTTP port on the ready line');
    const streams = await openStreams(`https://127.0.0.1:${ready.httpPort}/api/stream`, cookies);
    console.log(`\npart B (${alertsOn ? 'alert rules on' : 'baseline: every alert rule disabled'}): carecoord serve, ${PATIENTS} patients with a coordinator stream each (${PATIENTS - streams.failed} open, ${streams.failed} failed), seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const ackAt = new Map<string, number>();
    const conns: Awaited<ReturnType<typeof MllpClient.connect>>[] = [];
    const free: Awaited<ReturnType<typeof MllpClient.connect>>[] = [];
    // Each connection sends, waits for its ACK and sends again (as EMR interfaces do); more connect when
    // all are busy, up to MAX_CONNS (below the listener's default limit of 200), then senders queue.
    const MAX_CONNS = 100;
    const waiting: ((c: (typeof conns)[number]) => void)[] = [];
    let opening = 0;
    const acquire = async (): Promise<(typeof conns)[number]> => {
      const c = free.pop();
      if (c) return c;
      if (conns.length + opening < MAX_CONNS) {
        opening++;
        const conn = await MllpClient.connect({ host: '127.0.0.1', port: server.port });
        opening--;
        conns.push(conn);
        return conn;
      }
      return new Promise((r) => waiting.push(r));
    };
    const release = (c: (typeof conns)[number]) => { const w = waiting.shift(); if (w) w(c); else free.push(c); };
    const ackMs: number[] = [];
    const count = RATE * SECONDS;
    const start = now();
    let nacks = 0;
    await pace(count, RATE, async (i) => {
      const control = `ALB-${i}`;
      const msg = [
        `MSH|^~\\&|EPIC|GENHOSP|CARECOORD|CC|20261125101500||ADT^A04^ADT_A01|${control}|P|2.5.1`,
        'EVN|A04|20261125101500', `PID|1||ALB${i % PATIENTS}^^^GENHOSP^MR`, `PV1|1|E|ED^1^1^GENHOSP||||||||||||||||V${i}`,
      ].join('\r') + '\r';
      const conn = await acquire();
      const sent = now();
      const ack = await conn.send(msg);
      ackAt.set(control, now());
      ackMs.push(now() - sent);
      if (!String(ack).includes('|AA|')) nacks++;
      release(conn);
    });
    const sendSeconds = (now() - start) / 1000;
    // Drain: until every alert has reached its stream, at most 30 s after the last ACK.
    const drainStart = now();
    const waitFor = alertsOn ? 'alert' : 'clinical-event';
    const alertsIn = () => streams.received.reduce((n, r) => n + (r[0] === waitFor ? 1 : 0), 0);
    while (alertsIn() < count && now() - drainStart < 30_000) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 500));
    const drainSeconds = (now() - drainStart) / 1000;
    streams.close();
    for (const c of conns) await c.close();
    await server.stop();

    const maps = await withStore(dataDir, async ({ db }) => {
      const events = await db.selectFrom('clinical_event as e').innerJoin('hl7log.message_log as l', 'l.id', 'e.source_entry_id').select(['e.id', 'l.control_id']).execute();
      const controlOfEvent = new Map(events.map((r) => [Number(r.id), r.control_id!]));
      const alerts = await db.selectFrom('alert').select(['id', 'first_event_id']).execute();
      const controlOfAlert = new Map(alerts.map((a) => [Number(a.id), controlOfEvent.get(Number(a.first_event_id)) ?? '']));
      const processed = await db.selectFrom('inbox').select(['received_at', 'processed_at']).where('processed_at', 'is not', null).execute();
      const processing = percentiles(processed.map((r) => Number(r.processed_at) - Number(r.received_at)));
      return { controlOfEvent, controlOfAlert, alerts: alerts.length, processing };
    });
    const lat = { alert: [] as number[], 'clinical-event': [] as number[] };
    for (const [kind, ref, t] of streams.received) {
      const control = kind === 'alert' ? maps.controlOfAlert.get(ref) : kind === 'clinical-event' ? maps.controlOfEvent.get(ref) : undefined;
      const a = ackAt.get(control ?? '');
      if (a !== undefined && (kind === 'alert' || kind === 'clinical-event')) lat[kind].push(t - a);
    }
    return {
      label: alertsOn ? 'carecoord' : 'baseline', count, sendSeconds, nacks, alerts: maps.alerts, drainSeconds, conns: conns.length,
      ack: percentiles(ackMs), alert: percentiles(lat.alert), event: percentiles(lat['clinical-event']), processing: maps.processing,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(r: E2e): void {
  const f = (x: number) => x.toFixed(1);
  console.log(`${r.label}: ${r.count} ADT^A04 (PV1-2 E) sent in ${r.sendSeconds.toFixed(1)} s (${(r.count / r.sendSeconds).toFixed(0)} msg/s, offered ${RATE}), ${r.nacks} not AA, ${r.alerts} alerts raised, drained ${r.drainSeconds.toFixed(1)} s after the last ACK`);
  console.log(`  MLLP send -> ACK p50 ${f(r.ack.p50)} ms, p99 ${f(r.ack.p99)} ms over ${r.conns} connections; receipt -> processed (inbox) p50 ${f(r.processing.p50)} ms, p99 ${f(r.processing.p99)} ms`);
  if (r.alert.n) console.log(`  ACK -> 'alert' at the coordinator's stream p50 ${f(r.alert.p50)} ms, p99 ${f(r.alert.p99)} ms (${r.alert.n}/${r.count})`);
  console.log(`  ACK -> 'clinical-event' at the coordinator's stream p50 ${f(r.event.p50)} ms, p99 ${f(r.event.p99)} ms (${r.event.n}/${r.count})`);
}

async function partB(): Promise<void> {
  const cc = await runServe(true);
  const base = await runServe(false);
  console.log(`\npart B: ${PATIENTS} coordinator streams, ${RATE} msg/s offered for ${SECONDS} s`);
  report(cc);
  report(base);
  console.log(`ratio carecoord ACK->alert / baseline ACK->clinical-event (no rules): p50 x${(cc.alert.p50 / base.event.p50).toFixed(2)}, p99 x${(cc.alert.p99 / base.event.p99).toFixed(2)}`);
  console.log(`target p99 < 100 ms end to end (ACK -> alert): ${cc.alert.p99 < 100 ? 'MET' : 'MISS'}; all delivered: ${cc.alert.n === cc.count ? 'MET' : 'MISS'}`);
}

async function main(): Promise<void> {
  const part = (process.env.BENCH_PART ?? 'both').toUpperCase();
  if (part !== 'B') partA();
  if (part !== 'A') await partB();
}

process.on('exit', killAllChildren);
main().catch((err) => {
  console.error(err);
  killAllChildren();
  process.exit(1);
});
