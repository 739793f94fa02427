/**
 * Rules as stored data: seeding the built-ins, saving a validated new version, and the compiled set
 * the engine evaluates (compiled once per id@version, re-read per message so a saved version or a
 * disabled rule takes effect with the next message, on every node).
 */
import type { Kysely } from 'kysely';
import { addRuleVersion, getRule, getRuleVersion, insertRuleIfMissing, ruleHeads } from '../store/alert-rules.js';
import type { Database } from '../store/schema.js';
import { BUILTIN_RULES } from './builtin.js';
import { AlertError, AlertErrorCode } from './errors.js';
import { compileRule, RULE_ID, validateRule, type CompiledRule, type RuleDefinition } from './rule.js';

/** Insert the built-in rules a database lacks (version 1, enabled). Idempotent; existing rules are never touched. */
export async function ensureBuiltinRules(db: Kysely<Database>, at: number): Promise<string[]> {
  const added: string[] = [];
  for (const [id, def] of Object.entries(BUILTIN_RULES)) {
    if (await insertRuleIfMissing(db, { id, name: def.name, builtin: true, definition: JSON.stringify(def), at, by: 'system' })) added.push(id);
  }
  return added;
}

/** Validate and store a rule: a new rule at version 1, else the next version of it. Returns the version. */
export async function saveRule(db: Kysely<Database>, id: string, input: unknown, by: string, at: number): Promise<number> {
  if (!RULE_ID.test(id)) throw new AlertError(AlertErrorCode.InvalidRule, 'a rule id is 2-63 characters of a-z, 0-9, dot and dash', 'id');
  const def = validateRule(input);
  const definition = JSON.stringify(def);
  if (await getRule(db, id)) return addRuleVersion(db, { id, name: def.name, definition, at, by });
  if (!(await insertRuleIfMissing(db, { id, name: def.name, builtin: false, definition, at, by }))) return addRuleVersion(db, { id, name: def.name, definition, at, by });
  return 1;
}

/** Compiled rules, cached by id@version. */
export class RuleSet {
  readonly #compiled = new Map<string, CompiledRule | null>();

  constructor(private readonly onInvalid: (ruleId: string, version: number, code: string) => void = () => undefined) {}

  /** The enabled rules at their current versions. A stored version that no longer validates is skipped (reported by code). */
  async current(db: Kysely<Database>): Promise<CompiledRule[]> {
    const out: CompiledRule[] = [];
    for (const head of await ruleHeads(db)) {
      if (!head.enabled) continue;
      const rule = await this.version(db, head.id, head.version);
      if (rule) out.push(rule);
    }
    return out;
  }

  /** One version, compiled (alerts name the version that fired them). */
  async version(db: Kysely<Database>, id: string, version: number): Promise<CompiledRule | undefined> {
    const key = `${id}@${version}`;
    if (!this.#compiled.has(key)) {
      const def = await getRuleVersion(db, id, version);
      try {
        this.#compiled.set(key, def === undefined ? null : compileRule(id, version, def));
      } catch (err) {
        this.onInvalid(id, version, (err as { code?: string }).code ?? 'error');
        this.#compiled.set(key, null);
      }
    }
    return this.#compiled.get(key) ?? undefined;
  }

  async definitionOf(db: Kysely<Database>, id: string, version: number): Promise<RuleDefinition | undefined> {
    return (await this.version(db, id, version))?.definition;
  }
}
