import type { Channel, Severity } from '../alerts/contract.js';

/** A delivery row's state; one line per state. */
export const DeliveryStatus = {
  /** Waiting for a worker, not before next_attempt_at. */
  Queued: 'queued',
  /** Claimed by a worker; next_attempt_at is the lease (claimed again after it if the sender died). */
  Sending: 'sending',
  /** The channel's provider accepted it. */
  Delivered: 'delivered',
  /** This attempt failed; a retry or the next channel is a new row. */
  Failed: 'failed',
  /** Not sent: no address or subscription, or the alert was acknowledged first. */
  Skipped: 'skipped',
} as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/** Why an attempt did not deliver: codes, never provider text. */
export const DeliveryErrorCode = {
  /** Network error, timeout, or a 5xx/429 from the provider: worth retrying. */
  ProviderUnavailable: 'delivery.provider_unavailable',
  Timeout: 'delivery.timeout',
  /** The provider refused the message (4xx): retrying the same would not help. */
  ProviderRejected: 'delivery.provider_rejected',
  /** The user has no address for the channel (email, phone, push subscription). */
  NoContact: 'delivery.no_contact',
  /** The channel is not configured on this server. */
  ChannelOff: 'delivery.channel_off',
  /** The alert was acknowledged (or resolved, withdrawn) before this was sent. */
  Acknowledged: 'delivery.acknowledged',
  /** The sender threw something unexpected. */
  Internal: 'delivery.internal',
} as const;
export type DeliveryErrorCode = (typeof DeliveryErrorCode)[keyof typeof DeliveryErrorCode];

/** What a channel is asked to send: text composed for that channel (content.ts) plus routing. */
export interface OutboundMessage {
  deliveryId: number;
  alertId: number;
  patientId: number;
  userId: number;
  channel: Channel;
  severity: Severity;
  ruleId: string;
  /** The recipient's address on this channel (email, E.164 phone); undefined for in-app and push. */
  to: string | undefined;
  subject: string;
  body: string;
  /** CARECOORD_PUBLIC_URL + /alerts/:id */
  link: string;
  /** True when subject or body carries PHI (a name): the attempt is then audited as a disclosure. */
  carriesPhi: boolean;
}

export interface DeliveryResult {
  outcome: 'delivered' | 'failed' | 'rejected';
  /** Short, without PHI (status code, provider message id). */
  providerResponse: string | null;
  /** Failed attempts: worth trying again on the same channel. */
  retryable: boolean;
  errorCode?: DeliveryErrorCode;
}

/** One channel behind the common interface (in-app, email, SMS/voice webhook, Web Push). */
export interface ChannelAdapter {
  readonly channel: Channel;
  send(msg: OutboundMessage): Promise<DeliveryResult>;
  /** Release connections (SMTP pool); optional. */
  close?(): Promise<void>;
}
