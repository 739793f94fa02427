import type { Kysely } from 'kysely';
import { PeriodicJob } from '../lifecycle/periodic.js';
import type { Channel } from '../alerts/contract.js';
import { appendAudit, AuditAction } from '../audit/index.js';
import type { DialectName } from '../store/open.js';
import type { Database } from '../store/schema.js';
import { composeMessage, PhiLevel, type PhiPolicy } from './content.js';
import { afterFailure, DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { claimDue, contactOf, finishAttempt, insertDeliveries, patientNameOf, type DeliveryRow } from './store.js';
import { DeliveryErrorCode, DeliveryStatus, type ChannelAdapter, type DeliveryResult, type OutboundMessage } from './types.js';

/** Where the worker reports: codes, ids and counts only (never message text or addresses). */
export interface DeliveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryWorkerOptions {
  dialect: DialectName;
  channels: readonly ChannelAdapter[];
  /** CARECOORD_PUBLIC_URL: the dashboard's address, for the links. */
  publicUrl: string;
  phi: PhiPolicy;
  retry?: RetryPolicy;
  pollIntervalMs?: number;
  batchSize?: number;
  /** How long a claim holds a row; a row still sending after it is claimed again (its sender died). Longer than any send timeout. */
  leaseMs?: number;
  now?: () => number;
  log: DeliveryLog;
  /** Counts each ended attempt (metrics: carecoord_alert_deliveries_total). */
  count?: (channel: Channel, outcome: string) => void;
}

/** How an attempt ended, as decided before it is written. */
interface Ending {
  status: DeliveryStatus;
  result: DeliveryResult;
  msg?: OutboundMessage;
}

/**
 * Sends what the outbox holds: every poll it claims due rows (store.claimDue: one worker per row, on
 * any number of nodes), sends each through its channel's adapter, and records the ending in one
 * transaction with what follows: a retry on the same channel after backoff, or the next channel of
 * the row's fall-over list; an attempt that carried PHI is audited there as a disclosure (last, as
 * the audit contract asks). start() and an idempotent stop() that waits for a pass in progress.
 */
export class DeliveryWorker {
  readonly #job: PeriodicJob<number>;
  readonly #channels: Map<Channel, ChannelAdapter>;
  readonly #retry: RetryPolicy;
  readonly #now: () => number;

  constructor(private readonly db: Kysely<Database>, private readonly options: DeliveryWorkerOptions) {
    this.#channels = new Map(options.channels.map((c) => [c.channel, c]));
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#now = options.now ?? Date.now;
    const pass = () => this.#pass().catch((err: unknown) => {
      this.options.log.error({ name: (err as Error).name, code: (err as { code?: string }).code }, 'delivery pass failed');
      return 0;
    });
    this.#job = new PeriodicJob(pass, options.pollIntervalMs ?? 1000);
  }

  start(): void {
    this.#job.start();
  }

  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** One pass: claim and send what is due (one pass at a time per worker); resolves to the rows handled. */
  runOnce(): Promise<number> {
    return this.#job.runOnce();
  }

  async #pass(): Promise<number> {
    const rows = await claimDue(this.db, this.options.dialect, this.#now(), this.options.leaseMs ?? 300_000, this.options.batchSize ?? 20);
    await Promise.all(rows.map((row) => this.#deliver(row)));
    return rows.length;
  }

  async #deliver(row: DeliveryRow): Promise<void> {
    const ending = await this.#attempt(row);
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const ours = await finishAttempt(trx, row, { status: ending.status, providerResponse: ending.result.providerResponse, errorCode: ending.result.errorCode ?? null, at: now });
      if (!ours) return;
      if (ending.status !== DeliveryStatus.Delivered) await this.#next(trx, row, ending, now);
      if (ending.msg?.carriesPhi) {
        await appendAudit(trx, {
          at: now, actor: 'system', userId: row.user_id, patientId: row.patient_id, action: AuditAction.Disclosure,
          entityType: 'alert-delivery', entityId: row.id, source: 'system',
          outcome: ending.status === DeliveryStatus.Delivered ? 'success' : 'failed',
          detail: { alertId: row.alert_id, channel: row.channel, attempt: row.attempt },
        });
      }
    });
    this.options.count?.(row.channel as Channel, ending.status === DeliveryStatus.Skipped ? 'skipped' : ending.result.outcome);
    const level = ending.status === DeliveryStatus.Delivered ? 'info' : 'warn';
    this.options.log[level]({ deliveryId: row.id, alertId: row.alert_id, userId: row.user_id, channel: row.channel, attempt: row.attempt, status: ending.status, code: ending.result.errorCode }, 'alert delivery attempt');
  }

  /** Compose and send; never throws (an adapter's exception is a retryable failure). */
  async #attempt(row: DeliveryRow): Promise<Ending> {
    const channel = row.channel as Channel;
    const skip = (errorCode: DeliveryErrorCode): Ending => ({ status: DeliveryStatus.Skipped, result: { outcome: 'rejected', providerResponse: null, retryable: false, errorCode } });
    const adapter = this.#channels.get(channel);
    if (!adapter) return skip(DeliveryErrorCode.ChannelOff);
    let to: string | undefined;
    if (channel === 'email' || channel === 'sms' || channel === 'voice') {
      const contact = await contactOf(this.db, row.user_id);
      to = (channel === 'email' ? contact?.email : contact?.phone) ?? undefined;
      if (!to) return skip(DeliveryErrorCode.NoContact);
    }
    const name = this.options.phi[channel] === PhiLevel.Names ? await patientNameOf(this.db, row.patient_id) : undefined;
    const facts = { alertId: row.alert_id, severity: row.severity as OutboundMessage['severity'], ruleId: row.rule_id };
    const text = composeMessage(facts, channel, this.options.phi, this.options.publicUrl, name);
    const msg: OutboundMessage = { deliveryId: row.id, alertId: row.alert_id, patientId: row.patient_id, userId: row.user_id, channel, severity: facts.severity, ruleId: row.rule_id, to, ...text };
    let result: DeliveryResult;
    try {
      result = await adapter.send(msg);
    } catch (err) {
      result = { outcome: 'failed', providerResponse: null, retryable: true, errorCode: (err as { code?: DeliveryErrorCode }).code ?? DeliveryErrorCode.Internal };
    }
    if (result.outcome === 'rejected' && result.errorCode === DeliveryErrorCode.NoContact) return { ...skip(DeliveryErrorCode.NoContact), msg };
    return { status: result.outcome === 'delivered' ? DeliveryStatus.Delivered : DeliveryStatus.Failed, result, msg };
  }

  /** After a failed or skipped attempt: retry the channel after backoff, or queue the next channel. */
  async #next(trx: Kysely<Database>, row: DeliveryRow, ending: Ending, now: number): Promise<void> {
    const retryable = ending.status === DeliveryStatus.Failed && ending.result.outcome === 'failed' && ending.result.retryable;
    const next = afterFailure(row.attempt, retryable, this.#retry, now);
    const base = { alertId: row.alert_id, patientId: row.patient_id, userId: row.user_id, severity: row.severity as OutboundMessage['severity'], ruleId: row.rule_id, queuedAt: now };
    const fallback = JSON.parse(row.fallback) as Channel[];
    if (next.kind === 'retry') {
      await insertDeliveries(trx, [{ ...base, channel: row.channel as Channel, attempt: row.attempt + 1, fallback, notBefore: next.at }]);
      return;
    }
    const [channel, ...rest] = fallback;
    if (channel) await insertDeliveries(trx, [{ ...base, channel, attempt: 1, fallback: rest, notBefore: now }]);
    else this.options.log.warn({ alertId: row.alert_id, userId: row.user_id }, 'alert delivery: every channel failed for this recipient');
  }
}
