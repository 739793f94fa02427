/**
 * `rules test`: what a rule (stored, or a draft not yet saved) would have raised over the stored events
 * since a time, merged as the engine would (one alert per visit, suppression window), without writing
 * anything or telling anyone. Reads only. The history each event sees is the stored record as it is
 * now (later cancels included), so the answer can differ from what the engine decided at the time.
 */
import type { Kysely } from 'kysely';
import type { ClinicalEvent } from '../store/events.js';
import type { Database } from '../store/schema.js';
import { buildContext } from './context.js';
import { evaluateRules, type RuleFailure } from './evaluate.js';
import { activeEpisodes, loadContextInput } from './load.js';
import { isVisitEvent, mergeFirings, suppressionKey, visitKey, withinSuppression, type AlertDraft } from './merge.js';
import type { CompiledRule } from './rule.js';

export interface DryRunAlert {
  key: string;
  patientId: number;
  encounterId: number | null;
  raisedAt: number;
  draft: AlertDraft;
}

export interface DryRunResult {
  eventsRead: number;
  alerts: DryRunAlert[];
  failures: RuleFailure[];
}

const PAGE = 500;

export async function dryRun(db: Kysely<Database>, rules: readonly CompiledRule[], since: number, opts: { limitEvents?: number } = {}): Promise<DryRunResult> {
  const types = [...new Set(rules.flatMap((r) => r.definition.trigger.eventTypes))];
  const byKey = new Map<string, DryRunAlert>();
  const out: DryRunAlert[] = [];
  const failures: RuleFailure[] = [];
  let eventsRead = 0;
  let after = 0;
  const limit = opts.limitEvents ?? 100_000;
  while (eventsRead < limit && types.length) {
    const rows = await db.selectFrom('clinical_event').selectAll().where('id', '>', after).where('occurred_at', '>=', since).where('event_type', 'in', types).where('withdrawn_at', 'is', null).orderBy('id').limit(PAGE).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      after = Number(r.id);
      eventsRead++;
      const e: ClinicalEvent = {
        id: Number(r.id), patientId: Number(r.patient_id), encounterId: r.encounter_id === null ? null : Number(r.encounter_id), type: r.event_type as ClinicalEvent['type'],
        occurredAt: Number(r.occurred_at), recordedAt: Number(r.recorded_at), facility: r.facility, sourceEntryId: r.source_entry_id === null ? null : Number(r.source_entry_id),
        messageType: r.message_type, payload: JSON.parse(r.payload) as Record<string, unknown>, outOfOrder: Number(r.out_of_order) === 1, withdrawnAt: null, withdrawnBy: null,
      };
      const episodes = await activeEpisodes(db, e.patientId);
      const result = evaluateRules(rules, buildContext(await loadContextInput(db, e, episodes)));
      failures.push(...result.failures);
      if (result.firings.length === 0) continue;
      const lead = result.firings[0]!;
      const key = isVisitEvent(e) ? visitKey(e.encounterId!) : suppressionKey(lead.ruleId, e.patientId, episodes[0]?.id ?? null);
      const prior = byKey.get(key);
      const merge = prior && (isVisitEvent(e) || withinSuppression({ status: prior.draft.status, raisedAt: prior.raisedAt }, lead.suppressionMinutes, e.recordedAt)) ? prior : undefined;
      const { draft } = mergeFirings(merge?.draft, result.firings, e.id);
      if (merge) merge.draft = draft;
      else {
        const a = { key, patientId: e.patientId, encounterId: e.encounterId, raisedAt: e.recordedAt, draft };
        byKey.set(key, a);
        out.push(a);
      }
    }
  }
  return { eventsRead, alerts: out, failures };
}
