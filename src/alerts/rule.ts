/**
 * A rule is data: a definition (JSON, stored per version in alert_rule_version), validated on save
 * and compiled for evaluation. Pure.
 */
import { TEAM_ROLES } from '../care/team.js';
import { CLINICAL_EVENT_TYPES, type ClinicalEventType } from '../store/events.js';
import { compileCondition, type Condition } from './cel.js';
import { CHANNELS, SEVERITIES, type Channel, type RecipientRole, type Severity } from './contract.js';
import { invalidRule } from './errors.js';
import { checkTemplate } from './template.js';

export interface RuleDefinition {
  name: string;
  /** Where the rule comes from (CMS HRRP, NCQA HEDIS, HL7 table 0078, a local policy...). */
  source?: string;
  /** The clinical event types it is evaluated on. */
  trigger: { eventTypes: ClinicalEventType[] };
  /** CEL over the context (alerts/context.ts); true fires. */
  condition: string;
  severity: Severity;
  recipients: RecipientRole[];
  channels: Channel[];
  /** Escalation policy id (src/escalation), null for none. */
  escalationPolicy: string | null;
  /** Templates with {{path}} placeholders. */
  title: string;
  message: string;
  /** Events outside a hospital visit: the same rule, patient and episode within this many minutes update the open alert (0: never). */
  suppressionMinutes: number;
}

/** A stored, validated version, ready to evaluate. */
export interface CompiledRule {
  id: string;
  version: number;
  definition: RuleDefinition;
  condition: Condition;
}

export const RULE_ID = /^[a-z0-9][a-z0-9.-]{1,62}$/;
const POLICY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function listOf<T extends string>(field: string, v: unknown, allowed: readonly T[], min = 1): T[] {
  if (!Array.isArray(v) || v.length < min) throw invalidRule(field, `${field} must be a list of at least ${min} of: ${allowed.join(', ')}`);
  v.forEach((x, i) => {
    if (!allowed.includes(x as T)) throw invalidRule(`${field}[${i}]`, `${field}[${i}] must be one of: ${allowed.join(', ')}`);
  });
  return [...new Set(v as T[])];
}

function text(field: string, v: unknown, max: number): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw invalidRule(field, `${field} must be a non-empty string of at most ${max} characters`);
  return v;
}

/** Validate a definition (as parsed from JSON): shape, closed sets, the CEL condition and the templates. Throws AlertError. */
export function validateRule(input: unknown): RuleDefinition {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw invalidRule('definition', 'a rule definition is a JSON object');
  const d = input as Record<string, unknown>;
  const known = new Set(['name', 'source', 'trigger', 'condition', 'severity', 'recipients', 'channels', 'escalationPolicy', 'title', 'message', 'suppressionMinutes']);
  for (const k of Object.keys(d)) if (!known.has(k)) throw invalidRule(k, `unknown field ${k}`);
  const trigger = d.trigger as Record<string, unknown> | undefined;
  if (!trigger || typeof trigger !== 'object') throw invalidRule('trigger', 'trigger must be an object with eventTypes');
  const severity = d.severity as Severity;
  if (!SEVERITIES.includes(severity)) throw invalidRule('severity', `severity must be one of: ${SEVERITIES.join(', ')}`);
  const policy = d.escalationPolicy ?? null;
  if (policy !== null && (typeof policy !== 'string' || !POLICY_ID.test(policy))) throw invalidRule('escalationPolicy', 'escalationPolicy must be a policy id or null');
  const minutes = d.suppressionMinutes ?? 0;
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 0 || minutes > 525_600) throw invalidRule('suppressionMinutes', 'suppressionMinutes must be a whole number of minutes, 0 to 525600');
  const def: RuleDefinition = {
    name: text('name', d.name, 200),
    ...(d.source !== undefined ? { source: text('source', d.source, 500) } : {}),
    trigger: { eventTypes: listOf('trigger.eventTypes', trigger.eventTypes, CLINICAL_EVENT_TYPES) },
    condition: text('condition', d.condition, 4000),
    severity,
    recipients: listOf('recipients', d.recipients, TEAM_ROLES),
    channels: listOf('channels', d.channels, CHANNELS),
    escalationPolicy: policy as string | null,
    title: text('title', d.title, 200),
    message: text('message', d.message, 2000),
    suppressionMinutes: minutes,
  };
  checkTemplate(def.title, 'title');
  checkTemplate(def.message, 'message');
  compileCondition(def.condition);
  return def;
}

/** Compile a stored version (validated again: a definition never runs unchecked). */
export function compileRule(id: string, version: number, definition: unknown): CompiledRule {
  const def = validateRule(definition);
  return { id, version, definition: def, condition: compileCondition(def.condition) };
}
