/** Repository of alert rules and their versions (src/alerts). Definitions are validated by the caller before they get here. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface StoredRule {
  id: string;
  name: string;
  enabled: boolean;
  builtin: boolean;
  version: number;
  /** The current version's definition, parsed JSON (validate before use). */
  definition: unknown;
  createdAt: number;
  updatedAt: number;
  versionCreatedBy: string;
}

function base(db: Kysely<Database>) {
  return db
    .selectFrom('alert_rule as r')
    .innerJoin('alert_rule_version as v', (j) => j.onRef('v.rule_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'))
    .select(['r.id', 'r.name', 'r.enabled', 'r.builtin', 'r.current_version', 'r.created_at', 'r.updated_at', 'v.definition', 'v.created_by']);
}

type Row = Awaited<ReturnType<ReturnType<typeof base>['executeTakeFirstOrThrow']>>;
function toRule(r: Row): StoredRule {
  return {
    id: r.id,
    name: r.name,
    enabled: Number(r.enabled) === 1,
    builtin: Number(r.builtin) === 1,
    version: Number(r.current_version),
    definition: JSON.parse(r.definition) as unknown,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    versionCreatedBy: r.created_by,
  };
}

export async function listRules(db: Kysely<Database>, opts: { enabledOnly?: boolean } = {}): Promise<StoredRule[]> {
  let q = base(db);
  if (opts.enabledOnly) q = q.where('r.enabled', '=', 1);
  return (await q.orderBy('r.id').execute()).map(toRule);
}

export async function getRule(db: Kysely<Database>, id: string): Promise<StoredRule | undefined> {
  const r = await base(db).where('r.id', '=', id).executeTakeFirst();
  return r ? toRule(r) : undefined;
}

/** One version's definition (an alert names the version that fired it). */
export async function getRuleVersion(db: Kysely<Database>, id: string, version: number): Promise<unknown> {
  const r = await db.selectFrom('alert_rule_version').select('definition').where('rule_id', '=', id).where('version', '=', version).executeTakeFirst();
  return r ? (JSON.parse(r.definition) as unknown) : undefined;
}

/** The rule row's current version and enabled flag, cheap enough to read per message. */
export async function ruleHeads(db: Kysely<Database>): Promise<{ id: string; version: number; enabled: boolean }[]> {
  const rows = await db.selectFrom('alert_rule').select(['id', 'current_version', 'enabled']).execute();
  return rows.map((r) => ({ id: r.id, version: Number(r.current_version), enabled: Number(r.enabled) === 1 }));
}

/** Insert a rule at version 1 unless it exists (concurrent starters: the first wins, the others change nothing). */
export async function insertRuleIfMissing(db: Kysely<Database>, r: { id: string; name: string; builtin: boolean; definition: string; at: number; by: string }): Promise<boolean> {
  const inserted = await db
    .insertInto('alert_rule')
    .values({ id: r.id, name: r.name, enabled: 1, current_version: 1, builtin: r.builtin ? 1 : 0, created_at: r.at, updated_at: r.at })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  await db.insertInto('alert_rule_version').values({ rule_id: r.id, version: 1, definition: r.definition, created_at: r.at, created_by: r.by }).execute();
  return true;
}

/** A new version of an existing rule becomes current. */
export async function addRuleVersion(db: Kysely<Database>, r: { id: string; name: string; definition: string; at: number; by: string }): Promise<number> {
  const head = await db.selectFrom('alert_rule').select('current_version').where('id', '=', r.id).executeTakeFirstOrThrow();
  const version = Number(head.current_version) + 1;
  await db.insertInto('alert_rule_version').values({ rule_id: r.id, version, definition: r.definition, created_at: r.at, created_by: r.by }).execute();
  await db.updateTable('alert_rule').set({ current_version: version, name: r.name, updated_at: r.at }).where('id', '=', r.id).execute();
  return version;
}

export async function setRuleEnabled(db: Kysely<Database>, id: string, enabled: boolean, at: number): Promise<boolean> {
  const r = await db.updateTable('alert_rule').set({ enabled: enabled ? 1 : 0, updated_at: at }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
