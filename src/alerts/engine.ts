/**
 * The alert engine: after a message's handler ran, in the same processing savepoint, it computes the
 * message's effects (the events it inserted and withdrew), applies the rules (one alert per visit,
 * suppression, withdrawal by cancels), tells its listeners of every alert change, then runs every
 * EventReaction. Everything commits with the message's processed mark or not at all; reprocessing
 * finds the alert_event rows of its events and changes nothing.
 */
import type { Kysely, Transaction } from 'kysely';
import type { HandlerInput, MessageObserver } from '../ingest/handlers.js';
import { findAlertByKey, getAlert, insertAlert, insertAlertEvents, rulesFiredOn, standingFirings, updateAlert, withdrawAlertFirings, withdrawFirings, type AlertRecord } from '../store/alerts.js';
import { eventsOfEntry, type ClinicalEvent } from '../store/events.js';
import type { Database } from '../store/schema.js';
import { announce, changeOf, type DefinitionOf } from './changes.js';
import { buildContext } from './context.js';
import type { AlertListener, EventReaction, MessageEffects, Severity } from './contract.js';
import { evaluateRules, type Firing, type RuleFailure } from './evaluate.js';
import { activeEpisodes, eventsWithdrawnBy, loadContextInput } from './load.js';
import { isVisitEvent, mergeFirings, suppressionKey, visitKey, withdrawReasons, withinSuppression, type AlertDraft, type MergeOutcome } from './merge.js';
import type { CompiledRule } from './rule.js';
import { ensureBuiltinRules, RuleSet } from './rules.js';

export interface AlertEngineOptions {
  listeners?: readonly AlertListener[];
  reactions?: readonly EventReaction[];
  now?: () => number;
  /** Told of a rule that failed to evaluate or no longer validates: ids and codes only, never PHI. */
  onRuleFailure?: (failure: RuleFailure) => void;
  /** Seed the built-in rules on first use (default true). */
  seedBuiltins?: boolean;
}

/** Events whose withdrawal cancels the whole visit: its alert loses every reason (A11, A38). */
const VISIT_STARTS = new Set(['admit', 'registration', 'pre-admit']);

const draftOf = (a: AlertRecord): AlertDraft => ({
  ruleId: a.ruleId, ruleVersion: a.ruleVersion, severity: a.severity as Severity, status: a.status as AlertDraft['status'], title: a.title, message: a.message,
  reasons: a.reasons as AlertDraft['reasons'], eventCount: a.eventCount, firstEventId: a.firstEventId, lastEventId: a.lastEventId, snoozedUntil: a.snoozedUntil,
});

export class AlertEngine implements MessageObserver {
  readonly name = 'alerts';
  readonly rules: RuleSet;
  readonly #listeners: readonly AlertListener[];
  readonly #reactions: readonly EventReaction[];
  readonly #now: () => number;
  #seeded: boolean;

  constructor(options: AlertEngineOptions = {}) {
    this.#listeners = options.listeners ?? [];
    this.#reactions = options.reactions ?? [];
    this.#now = options.now ?? Date.now;
    this.#seeded = options.seedBuiltins === false;
    const report = options.onRuleFailure ?? (() => undefined);
    this.rules = new RuleSet((ruleId, ruleVersion, code) => report({ ruleId, ruleVersion, code }));
    this.onRuleFailure = report;
  }

  private readonly onRuleFailure: (f: RuleFailure) => void;

  /** The hook the processing pipeline calls after a message's handler (ingest/process.ts). */
  async afterMessage(trx: Kysely<Database>, input: Pick<HandlerInput, 'entryId'>): Promise<void> {
    const at = this.#now();
    const inserted = await eventsOfEntry(trx, input.entryId);
    const withdrawn = await eventsWithdrawnBy(trx, inserted.map((e) => e.id));
    await this.apply(trx, { entryId: input.entryId, inserted, withdrawn, at });
  }

  /** Apply one message's effects: withdrawals first, then the rules over its standing events, then the reactions. */
  async apply(trx: Kysely<Database>, effects: MessageEffects): Promise<void> {
    if (!this.#seeded) {
      await ensureBuiltinRules(trx, effects.at);
      this.#seeded = true;
    }
    if (effects.withdrawn.length) await this.withdraw(trx, effects.withdrawn, effects.at);
    const standing = effects.inserted.filter((e) => e.withdrawnAt === null);
    if (standing.length) {
      const rules = await this.rules.current(trx);
      for (const e of standing) await this.evaluate(trx, rules, e, effects.at);
    }
    for (const r of this.#reactions) await r.react(trx as Transaction<Database>, effects);
  }

  private definitionOf(trx: Kysely<Database>): DefinitionOf {
    return (id, version) => this.rules.definitionOf(trx, id, version);
  }

  private async evaluate(trx: Kysely<Database>, rules: readonly CompiledRule[], event: ClinicalEvent, at: number): Promise<void> {
    const triggered = rules.filter((r) => r.definition.trigger.eventTypes.includes(event.type));
    if (triggered.length === 0) return;
    const episodes = await activeEpisodes(trx, event.patientId);
    const ctx = buildContext(await loadContextInput(trx, event, episodes));
    const result = evaluateRules(triggered, ctx);
    result.failures.forEach((f) => this.onRuleFailure(f));
    const fired = await rulesFiredOn(trx, event.id);
    const firings = result.firings.filter((f) => !fired.has(f.ruleId));
    if (firings.length === 0) return;
    const episodeId = episodes[0]?.id ?? null;
    const { key, existing } = await this.target(trx, event, firings[0]!, episodeId, at);
    const outcome = mergeFirings(existing ? draftOf(existing) : undefined, firings, event.id);
    const id = await this.write(trx, existing, outcome, { key, event, episodeId, at });
    await insertAlertEvents(trx, firings.map((f) => ({ alert_id: id, event_id: event.id, rule_id: f.ruleId, rule_version: f.ruleVersion, severity: f.severity, at, withdrawn_at: null })));
    await this.tell(trx, id, outcome, at);
  }

  /** The alert the firings go to: the visit's, or the open one of the leading rule's suppression window. */
  private async target(trx: Kysely<Database>, event: ClinicalEvent, lead: Firing, episodeId: number | null, at: number) {
    if (isVisitEvent(event)) {
      const key = visitKey(event.encounterId!);
      return { key, existing: await findAlertByKey(trx, key) };
    }
    const key = suppressionKey(lead.ruleId, event.patientId, episodeId);
    const latest = await findAlertByKey(trx, key);
    const existing = latest && withinSuppression({ status: latest.status as AlertDraft['status'], raisedAt: latest.raisedAt }, lead.suppressionMinutes, at) ? latest : undefined;
    return { key, existing };
  }

  private async write(trx: Kysely<Database>, existing: AlertRecord | undefined, o: MergeOutcome, w: { key: string; event: ClinicalEvent; episodeId: number | null; at: number }): Promise<number> {
    const d = o.draft;
    const decided = { rule_id: d.ruleId, rule_version: d.ruleVersion, severity: d.severity, status: d.status, title: d.title, message: d.message, reasons: JSON.stringify(d.reasons), event_count: d.eventCount, last_event_id: d.lastEventId, snoozed_until: d.snoozedUntil, updated_at: w.at };
    if (existing) {
      const reopened = d.status === 'open' && existing.status !== 'open';
      await updateAlert(trx, existing.id, reopened ? { ...decided, resolved_at: null, resolved_by: null, resolution: null, snooze_reason: null } : decided);
      return existing.id;
    }
    return insertAlert(trx, {
      ...decided, patient_id: w.event.patientId, episode_id: w.episodeId, encounter_id: w.event.encounterId, dedup_key: w.key, first_event_id: d.firstEventId, raised_at: w.at,
      acknowledged_at: null, acknowledged_by: null, snooze_reason: null, resolved_at: null, resolved_by: null, resolution: null,
    });
  }

  private async tell(trx: Kysely<Database>, alertId: number, o: MergeOutcome, at: number): Promise<void> {
    const alert = (await getAlert(trx, alertId))!;
    await announce(trx, this.#listeners, await changeOf(alert, o.kind, o.previousSeverity, this.definitionOf(trx), null, at), alert);
  }

  /** Cancels withdraw what they caused: the firings of the withdrawn events, and of the whole visit when its start was withdrawn. */
  private async withdraw(trx: Kysely<Database>, events: readonly ClinicalEvent[], at: number): Promise<void> {
    const touched = new Set(await withdrawFirings(trx, events.map((e) => e.id), at));
    for (const e of events) {
      if (!VISIT_STARTS.has(e.type) || e.encounterId === null) continue;
      const visit = await findAlertByKey(trx, visitKey(e.encounterId));
      if (visit && (await withdrawAlertFirings(trx, visit.id, at))) touched.add(visit.id);
    }
    for (const id of touched) {
      const alert = (await getAlert(trx, id))!;
      if (alert.status === 'withdrawn') continue;
      const standing = await standingFirings(trx, id);
      const o = withdrawReasons(draftOf(alert), standing.rules, standing.eventCount);
      const d = o.draft;
      await updateAlert(trx, id, {
        rule_id: d.ruleId, rule_version: d.ruleVersion, severity: d.severity, status: d.status, title: d.title, message: d.message, reasons: JSON.stringify(d.reasons), event_count: d.eventCount, updated_at: at,
        ...(d.status === 'withdrawn' ? { resolved_at: at, resolved_by: null, resolution: 'withdrawn', snoozed_until: null } : {}),
      });
      await this.tell(trx, id, o, at);
    }
  }
}
