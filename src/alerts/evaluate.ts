/**
 * Which rules fire on one event: the rules whose trigger names the event's type and whose condition
 * holds over its context. Pure. A rule failing at run time (a CEL evaluation error) does not fire and
 * is reported by id and code, so one bad rule never stops the others or the message.
 */
import type { AlertContext } from './context.js';
import { severityRank, type Channel, type RecipientRole, type Severity } from './contract.js';
import type { CompiledRule } from './rule.js';
import { renderTemplate } from './template.js';

export interface Firing {
  ruleId: string;
  ruleVersion: number;
  severity: Severity;
  title: string;
  text: string;
  recipients: readonly RecipientRole[];
  channels: readonly Channel[];
  escalationPolicy: string | null;
  suppressionMinutes: number;
}

export interface RuleFailure {
  ruleId: string;
  ruleVersion: number;
  /** The CEL error's code (e.g. 'EvaluationError'), never its text (it may quote values). */
  code: string;
}

export interface Evaluation {
  /** Most severe first, then by rule id. */
  firings: Firing[];
  failures: RuleFailure[];
}

export function evaluateRules(rules: readonly CompiledRule[], ctx: AlertContext): Evaluation {
  const firings: Firing[] = [];
  const failures: RuleFailure[] = [];
  for (const rule of rules) {
    const d = rule.definition;
    if (!d.trigger.eventTypes.includes(ctx.event.type as never)) continue;
    let fires: boolean;
    try {
      fires = rule.condition(ctx);
    } catch (err) {
      failures.push({ ruleId: rule.id, ruleVersion: rule.version, code: (err as { name?: string })?.name ?? 'Error' });
      continue;
    }
    if (!fires) continue;
    firings.push({
      ruleId: rule.id,
      ruleVersion: rule.version,
      severity: d.severity,
      title: renderTemplate(d.title, ctx),
      text: renderTemplate(d.message, ctx),
      recipients: d.recipients,
      channels: d.channels,
      escalationPolicy: d.escalationPolicy,
      suppressionMinutes: d.suppressionMinutes,
    });
  }
  firings.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.ruleId.localeCompare(b.ruleId));
  return { firings, failures };
}
