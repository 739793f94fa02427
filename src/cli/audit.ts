import {
  AUDIT_ACTIONS, AUDIT_OUTCOMES, AUDIT_RETENTION_DAYS, AuditAction, auditCsvHeader, auditCsvRow, AuditError, auditReportPages, pruneAuditLog,
  validateFilter, verifyAuditChain, type AuditFilter, type AuditRecord,
} from '../audit/index.js';
import { loadConfig } from '../config.js';
import { openStore, type Store } from '../store/open.js';
import { CliError, parse, STORE_OPTIONS } from './args.js';
import { auditCli, cliActor } from './audit-calls.js';

/**
 * `carecoord audit verify|report|prune`: the privacy officer's view of the audit trail, beside a
 * running server on the same --data-dir / DATABASE_URL. verify exits 0 when the chain is intact, 1
 * when not; a report is itself audited (an export when --csv or --json) before any row is printed.
 */
const OPTIONS = {
  ...STORE_OPTIONS,
  json: { type: 'boolean', default: false },
  csv: { type: 'boolean', default: false },
  user: { type: 'string' },
  patient: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  action: { type: 'string' },
  entity: { type: 'string' },
  outcome: { type: 'string' },
  limit: { type: 'string' },
  pin: { type: 'string', multiple: true },
  'retention-days': { type: 'string' },
  actor: { type: 'string' },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export async function runAudit(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, true);
  const [sub] = positionals;
  if (sub !== 'verify' && sub !== 'report' && sub !== 'prune') throw new CliError('audit needs a sub-command: verify, report, prune');
  const filter = sub === 'report' ? filterOf(values) : undefined;
  const config = loadConfig(process.env, { 'data-dir': values['data-dir'], config: values.config });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    if (sub === 'verify') return await verify(store, values);
    if (sub === 'prune') return await prune(store, values);
    return await report(store, values, filter!);
  } catch (err) {
    if (err instanceof AuditError) throw new CliError(err.message, { usageHint: false });
    throw err;
  } finally {
    await store.close();
  }
}

async function verify(store: Store, values: Values): Promise<number> {
  const pins = new Map<number, string>();
  for (const pin of values.pin ?? []) {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(pin);
    if (!m) throw new CliError(`--pin must be ID:HASH (as verify prints the head), got "${pin}"`);
    pins.set(Number(m[1]), m[2]!);
  }
  const v = await verifyAuditChain(store.db, { pins });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(v)}\n`);
    return v.intact ? 0 : 1;
  }
  if (!v.problem) {
    const range = v.checked === 0 ? 'no entries' : `${v.checked} entries (${v.head.id - v.checked + 1}..${v.head.id})`;
    process.stdout.write(`audit trail intact: ${range} verified\nhead: ${v.head.id}:${v.head.hash}\n` +
      (v.anchor.id > 0 ? `retention anchor: entries up to ${v.anchor.id} removed by retention (hash ${v.anchor.hash})\n` : ''));
    return 0;
  }
  process.stdout.write(`audit trail NOT intact at entry ${v.problem.id} (${v.problem.kind}): ${v.problem.message}\n` +
    `${v.checked} entries verified before it; head ${v.head.id}:${v.head.hash}\n`);
  return 1;
}

async function prune(store: Store, values: Values): Promise<number> {
  const days = values['retention-days'] === undefined ? AUDIT_RETENTION_DAYS : Number(values['retention-days']);
  if (!Number.isInteger(days)) throw new CliError('--retention-days must be a whole number of days');
  const r = await pruneAuditLog(store.db, { now: Date.now(), retentionDays: days, actor: cliActor(values.actor), source: 'cli' });
  process.stdout.write(`${r.removed} audit entries older than ${days} days removed; retention anchor at entry ${r.anchorId}\n`);
  return 0;
}

// ---- report -------------------------------------------------------------------------------------

const DAY = 86_400_000;

/** 'now', a date (UTC midnight; as --until, the end of that day) or an ISO 8601 time (UTC unless it has an offset). */
function timeArg(text: string | undefined, name: string, endOfDay: boolean): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'now') return Date.now();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const iso = dateOnly ? `${text}T00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw new CliError(`--${name} must be "now", a date YYYY-MM-DD or a time like 2026-12-01T09:30Z`);
  return dateOnly && endOfDay ? ms + DAY : ms;
}

function filterOf(values: Values): AuditFilter & { max?: number } {
  const patient = values.patient === undefined ? undefined : Number(values.patient);
  if (patient !== undefined && (!Number.isSafeInteger(patient) || patient <= 0)) throw new CliError('--patient must be a patient id');
  if (values.action !== undefined && !(AUDIT_ACTIONS as string[]).includes(values.action)) throw new CliError(`--action must be one of ${AUDIT_ACTIONS.join(', ')}`);
  if (values.outcome !== undefined && !(AUDIT_OUTCOMES as string[]).includes(values.outcome)) throw new CliError(`--outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`);
  if (values.csv && values.json) throw new CliError('give --csv or --json, not both');
  const max = values.limit === undefined ? undefined : Number(values.limit);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new CliError('--limit must be a positive whole number');
  const filter: AuditFilter & { max?: number } = {
    user: values.user, patientId: patient, since: timeArg(values.since, 'since', false), until: timeArg(values.until, 'until', true),
    action: values.action as AuditAction | undefined, entityType: values.entity, outcome: values.outcome as AuditFilter['outcome'], max,
  };
  const { max: _max, ...query } = filter;
  validateFilter(query);
  return filter;
}

const when = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;

function tableRow(r: AuditRecord): string[] {
  const detail = r.detail === '{}' ? '' : r.detail.length > 80 ? `${r.detail.slice(0, 79)}…` : r.detail;
  return [String(r.id), when(r.at), r.actor, r.action, r.outcome, `${r.entityType}${r.entityId === null ? '' : ` ${r.entityId}`}`, r.patientId === null ? '-' : String(r.patientId), r.source, detail];
}

function table(rows: string[][]): string {
  const header = ['ID', 'AT', 'ACTOR', 'ACTION', 'OUTCOME', 'ENTITY', 'PATIENT', 'SOURCE', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[fmt(header), ...rows.map(fmt)].join('\n')}\n`;
}

/** Table rows shown without --limit; --csv and --json export everything the filter selects. */
const TABLE_DEFAULT = 500;

async function report(store: Store, values: Values, filter: AuditFilter & { max?: number }): Promise<number> {
  const { max, ...query } = filter;
  const format = values.csv ? 'csv' : values.json ? 'json' : 'table';
  const limit = max ?? (format === 'table' ? TABLE_DEFAULT : Number.POSITIVE_INFINITY);
  const criteria = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
  // Audited before a row leaves: reading the trail discloses who saw which patient.
  await auditCli(store.db, 'audit report', cliActor(values.actor), {
    action: format === 'table' ? AuditAction.Read : AuditAction.Export, entityType: 'audit-log', patientId: query.patientId ?? null,
    detail: { filter: criteria, format, ...(Number.isFinite(limit) ? { limit } : {}) },
  });
  const rows: string[][] = [];
  let count = 0;
  let more = false;
  if (format === 'csv') process.stdout.write(auditCsvHeader());
  outer: for await (const page of auditReportPages(store.db, { ...query, limit: 1000 })) {
    for (const r of page) {
      if (count >= limit) {
        more = true;
        break outer;
      }
      count += 1;
      if (format === 'csv') process.stdout.write(auditCsvRow(r));
      else if (format === 'json') process.stdout.write(`${JSON.stringify(r)}\n`);
      else rows.push(tableRow(r));
    }
  }
  if (format === 'table') {
    process.stdout.write(rows.length ? table(rows) : '(no audit entries)\n');
    if (more) process.stdout.write(`(first ${limit} shown: narrow the filter, or use --limit N, --csv or --json)\n`);
  }
  return 0;
}
