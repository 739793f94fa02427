/**
 * `carecoord rules list|show|test` and `carecoord alerts list`: the rules as stored (the built-ins are
 * seeded when missing), a dry run of a rule or a draft over stored events (nothing written, nobody
 * told), and the alerts raised. Reads of patient data are audited (source cli).
 */
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { ALERT_STATUSES } from '../alerts/contract.js';
import { dryRun } from '../alerts/dry-run.js';
import { AlertError } from '../alerts/errors.js';
import { compileRule, type CompiledRule } from '../alerts/rule.js';
import { ensureBuiltinRules } from '../alerts/rules.js';
import { AuditAction } from '../audit/index.js';
import { loadConfig } from '../config.js';
import { getRule, listRules } from '../store/alert-rules.js';
import { listAlerts } from '../store/alerts.js';
import { openStore } from '../store/open.js';
import type { Database } from '../store/schema.js';
import { CliError, parse, STORE_OPTIONS } from './args.js';
import { auditCli, cliActor, inAuditedTransaction } from './audit-calls.js';

export const ALERTS_USAGE = `Alert rules and alerts (also --data-dir DIR, --json):
  carecoord rules list                                       the rules, built-in ones included
  carecoord rules show RULE                                  its current version's definition
  carecoord rules test RULE [--since 30d] [--file draft.json]  what RULE (or the draft in the file) would have
                                                             raised over stored events; writes nothing, tells nobody
  carecoord alerts list [--patient ID] [--status open[,acknowledged...]] [--limit N]`;

async function withStore<T>(values: { 'data-dir'?: string; config?: string }, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { 'data-dir': values['data-dir'], config: values.config });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return await work(store.db);
  } catch (err) {
    if (err instanceof AlertError) throw new CliError(`${err.code}${err.field ? ` (${err.field})` : ''}: ${err.message}`, { usageHint: false });
    throw err;
  } finally {
    await store.close();
  }
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);

/** "30d", "12h", "90m" before now. */
export function sinceOf(text: string, now: number): number {
  const m = /^(\d{1,5})([dhm])$/.exec(text);
  if (!m) throw new CliError('--since is a duration like 30d, 12h or 90m');
  return now - Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
}

export async function runRules(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...STORE_OPTIONS, json: { type: 'boolean', default: false }, since: { type: 'string', default: '30d' }, file: { type: 'string' }, actor: { type: 'string' } }, true);
  const [sub = 'list', id] = positionals;
  return withStore(values, async (db) => {
    await ensureBuiltinRules(db, Date.now());
    if (sub === 'list') {
      const rules = await listRules(db);
      if (values.json) rules.forEach((r) => out(JSON.stringify({ id: r.id, name: r.name, enabled: r.enabled, builtin: r.builtin, version: r.version })));
      else rules.forEach((r) => out(`${r.id.padEnd(32)} v${String(r.version).padEnd(4)} ${r.enabled ? 'enabled ' : 'disabled'} ${r.builtin ? 'built-in' : 'custom  '}  ${r.name}`));
      return 0;
    }
    if (!id) throw new CliError(`rules ${sub} needs a rule id`);
    if (sub === 'show') {
      const rule = await getRule(db, id);
      if (!rule) throw new CliError(`no rule ${id}`, { usageHint: false });
      out(JSON.stringify({ id: rule.id, version: rule.version, enabled: rule.enabled, builtin: rule.builtin, definition: rule.definition }, null, 2));
      return 0;
    }
    if (sub === 'test') return test(db, id, values);
    throw new CliError(`unknown rules sub-command "${sub}" (list, show, test)`);
  });
}

async function test(db: Kysely<Database>, id: string, values: { since?: string; file?: string; json?: boolean; actor?: string }): Promise<number> {
  const since = sinceOf(values.since ?? '30d', Date.now());
  let rule: CompiledRule;
  if (values.file) rule = compileRule(id, 0, JSON.parse(readFileSync(values.file, 'utf8')) as unknown);
  else {
    const stored = await getRule(db, id);
    if (!stored) throw new CliError(`no rule ${id} (give --file for a draft)`, { usageHint: false });
    rule = compileRule(id, stored.version, stored.definition);
  }
  const result = await dryRun(db, [rule], since);
  await inAuditedTransaction(db, (trx) => auditCli(trx, 'rules test', cliActor(values.actor), {
    action: AuditAction.Read, entityType: 'alert-rule', entityId: id, detail: { draft: Boolean(values.file), since, events: result.eventsRead, alerts: result.alerts.length },
  }));
  if (values.json) out(JSON.stringify({ rule: id, version: rule.version, since, eventsRead: result.eventsRead, failures: result.failures, alerts: result.alerts }));
  else {
    out(`${id}${values.file ? ' (draft)' : ` v${rule.version}`}: ${result.alerts.length} alert(s) over ${result.eventsRead} event(s) since ${new Date(since).toISOString()}${result.failures.length ? `; ${result.failures.length} evaluation failure(s)` : ''}`);
    for (const a of result.alerts) out(`  patient ${a.patientId}  ${a.draft.severity.padEnd(8)} ${String(a.draft.eventCount).padStart(3)} event(s)  ${new Date(a.raisedAt).toISOString().slice(0, 16)}  ${a.draft.message}`);
  }
  return 0;
}

export async function runAlerts(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...STORE_OPTIONS, json: { type: 'boolean', default: false }, patient: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string', default: '50' }, actor: { type: 'string' } }, true);
  const [sub = 'list'] = positionals;
  if (sub !== 'list') throw new CliError(`unknown alerts sub-command "${sub}" (list)`);
  const statuses = values.status ? values.status.split(',') : undefined;
  for (const s of statuses ?? []) if (!(ALERT_STATUSES as readonly string[]).includes(s)) throw new CliError(`--status must be among ${ALERT_STATUSES.join(', ')}`);
  const patientId = values.patient === undefined ? undefined : Number(values.patient);
  if (patientId !== undefined && (!Number.isInteger(patientId) || patientId <= 0)) throw new CliError('--patient is a patient id');
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError('--limit must be from 1 to 10000');
  return withStore(values, async (db) => {
    const alerts = await listAlerts(db, { patientId, statuses, limit });
    await inAuditedTransaction(db, (trx) => auditCli(trx, 'alerts list', cliActor(values.actor), {
      action: AuditAction.Read, entityType: 'alert', patientId: alerts.map((a) => a.patientId), detail: { count: alerts.length },
    }));
    if (values.json) alerts.forEach((a) => out(JSON.stringify(a)));
    else {
      for (const a of alerts) out(`${String(a.id).padEnd(6)} patient ${String(a.patientId).padEnd(6)} ${a.severity.padEnd(8)} ${a.status.padEnd(12)} ${a.ruleId.padEnd(28)} ${String(a.eventCount).padStart(3)}  ${new Date(a.raisedAt).toISOString().slice(0, 16)}  ${a.title}`);
      if (alerts.length === 0) out('(no alerts)');
    }
    return 0;
  });
}
