import type { Kysely } from 'kysely';
import { insertAlert } from '../../src/store/alerts.js';
import type { Database } from '../../src/store/schema.js';

let nextEvent = 50_000;

/** An alert as the engine stores it (insertAlert), for the API tests: open, raised at `raisedAt`. */
export async function insertTestAlert(db: Kysely<Database>, patientId: number, over: { severity?: string; status?: string; raisedAt?: number; ruleId?: string } = {}): Promise<number> {
  const at = over.raisedAt ?? Date.UTC(2026, 11, 1, 8);
  const severity = over.severity ?? 'high';
  const ruleId = over.ruleId ?? 'readmission-30d';
  const event = ++nextEvent;
  return insertAlert(db, {
    patient_id: patientId, episode_id: null, encounter_id: null, rule_id: ruleId, rule_version: 1, dedup_key: `rule:${ruleId}:patient:${patientId}:event:${event}`,
    severity, status: over.status ?? 'open', title: 'Readmitted within 30 days', message: 'Readmission',
    reasons: JSON.stringify([{ ruleId, ruleVersion: 1, severity, title: 'Readmitted within 30 days', text: 'readmission' }]),
    event_count: 1, first_event_id: event, last_event_id: event, raised_at: at, updated_at: at,
    acknowledged_at: null, acknowledged_by: null, snoozed_until: null, snooze_reason: null, resolved_at: null, resolved_by: null, resolution: null,
  });
}
