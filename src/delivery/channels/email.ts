import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { ChannelAdapter, DeliveryResult, OutboundMessage } from '../types.js';
import { DeliveryErrorCode } from '../types.js';
import { providerId } from './classify.js';

export interface SmtpConfig {
  /** smtp:// or smtps:// URL (CARECOORD_SMTP_URL); else host/port/user/pass. */
  url?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  user?: string | undefined;
  pass?: string | undefined;
  /** Implicit TLS (smtps, port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean | undefined;
  /** Refuse to send unless STARTTLS succeeded (CARECOORD_SMTP_REQUIRE_TLS, default on). */
  requireTls?: boolean | undefined;
  /** Extra CA or self-signed certificate trust (tests). */
  tlsRejectUnauthorized?: boolean | undefined;
  from: string;
  timeoutMs: number;
}

/**
 * Email over SMTP (nodemailer): plain text, subject and body as composed (no PHI by default). SMTP
 * reply codes decide: 4xx and connection errors are retryable, 5xx rejected. The server's queue id
 * is kept as the provider response.
 */
export function emailChannel(config: SmtpConfig): ChannelAdapter {
  const common = {
    connectionTimeout: config.timeoutMs, greetingTimeout: config.timeoutMs, socketTimeout: config.timeoutMs,
    requireTLS: config.requireTls ?? true,
    tls: { minVersion: 'TLSv1.2' as const, rejectUnauthorized: config.tlsRejectUnauthorized ?? true },
  };
  const options: SMTPTransport.Options = config.url
    ? { url: config.url, ...common }
    : {
        host: config.host, port: config.port ?? 587, secure: config.secure ?? config.port === 465,
        ...(config.user ? { auth: { user: config.user, pass: config.pass ?? '' } } : {}), ...common,
      };
  const transport = nodemailer.createTransport(options);
  return {
    channel: 'email',
    async send(msg: OutboundMessage): Promise<DeliveryResult> {
      try {
        const info = await transport.sendMail({ from: config.from, to: msg.to, subject: msg.subject, text: msg.body, headers: { 'X-Carecoord-Delivery': String(msg.deliveryId) } });
        const queued = /queued as ([A-Za-z0-9._-]{1,64})/i.exec(info.response ?? '')?.[1];
        return { outcome: 'delivered', providerResponse: `smtp ${String(info.response ?? '').slice(0, 3)}${queued ? ` id=${providerId(queued) ?? ''}` : ''}`, retryable: false };
      } catch (err) {
        const e = err as { responseCode?: number; code?: string };
        if (e.responseCode && e.responseCode >= 500) return { outcome: 'rejected', providerResponse: `smtp ${e.responseCode}`, retryable: false, errorCode: DeliveryErrorCode.ProviderRejected };
        return { outcome: 'failed', providerResponse: e.responseCode ? `smtp ${e.responseCode}` : `network ${String(e.code ?? 'error').slice(0, 40)}`, retryable: true, errorCode: e.code === 'ETIMEDOUT' ? DeliveryErrorCode.Timeout : DeliveryErrorCode.ProviderUnavailable };
      }
    },
    async close() {
      transport.close();
    },
  };
}
