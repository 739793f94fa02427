/**
 * AlertChange as told to listeners and the realtime stream, from a stored alert. Recipients and
 * channels: the union over the rules of its reasons, the leading rule's first; the escalation policy
 * is the leading rule's.
 */
import type { Kysely, Transaction } from 'kysely';
import { publish, RealtimeKind } from '../realtime/publish.js';
import type { AlertRecord } from '../store/alerts.js';
import type { Database } from '../store/schema.js';
import type { AlertChange, AlertChangeKind, AlertListener, AlertStatus, Channel, RecipientRole, Severity } from './contract.js';
import type { RuleDefinition } from './rule.js';

export type DefinitionOf = (ruleId: string, version: number) => Promise<RuleDefinition | undefined>;

export async function changeOf(
  alert: AlertRecord,
  kind: AlertChangeKind,
  previousSeverity: Severity | null,
  definitionOf: DefinitionOf,
  actorUserId: number | null,
  at: number,
): Promise<AlertChange> {
  const lead = alert.reasons.find((r) => r.ruleId === alert.ruleId);
  const ordered = [...(lead ? [lead] : [{ ruleId: alert.ruleId, ruleVersion: alert.ruleVersion }]), ...alert.reasons.filter((r) => r.ruleId !== alert.ruleId)];
  const recipients = new Set<RecipientRole>();
  const channels = new Set<Channel>();
  let escalationPolicy: string | null = null;
  for (const [i, r] of ordered.entries()) {
    const def = await definitionOf(r.ruleId, r.ruleVersion);
    if (!def) continue;
    def.recipients.forEach((x) => recipients.add(x));
    def.channels.forEach((x) => channels.add(x));
    if (i === 0) escalationPolicy = def.escalationPolicy;
  }
  return {
    kind,
    alertId: alert.id,
    patientId: alert.patientId,
    episodeId: alert.episodeId,
    ruleId: alert.ruleId,
    ruleVersion: alert.ruleVersion,
    severity: alert.severity as Severity,
    previousSeverity,
    status: alert.status as AlertStatus,
    recipients: [...recipients],
    channels: [...channels],
    escalationPolicy,
    actorUserId,
    at,
  };
}

/** Publish on the realtime stream (codes, ids, severity, status only) and tell every listener, in `trx`. */
export async function announce(trx: Kysely<Database>, listeners: readonly AlertListener[], change: AlertChange, alert: AlertRecord): Promise<void> {
  await publish(trx, {
    at: change.at,
    patientId: change.patientId,
    kind: RealtimeKind.Alert,
    refId: change.alertId,
    payload: { change: change.kind, status: change.status, severity: change.severity, ruleId: change.ruleId, episodeId: change.episodeId, encounterId: alert.encounterId, eventCount: alert.eventCount },
  });
  for (const l of listeners) await l.alertChanged(trx as Transaction<Database>, change);
}
