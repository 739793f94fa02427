import { CHANNELS, type Channel, type Severity } from '../alerts/contract.js';

/** What may be said about the patient on a channel beyond severity, rule and link. */
export const PhiLevel = {
  /** Default: severity, the rule's code and the dashboard link; no name, no diagnosis. */
  None: 'none',
  /** The patient's name too (e.g. email inside the organisation's own mail system). */
  Names: 'names',
} as const;
export type PhiLevel = (typeof PhiLevel)[keyof typeof PhiLevel];

export type PhiPolicy = Readonly<Partial<Record<Channel, PhiLevel>>>;

/**
 * CARECOORD_DELIVERY_PHI: comma-separated channel:level pairs, e.g. `email:names`. Unnamed channels
 * carry none. In-app carries codes and ids only whatever this says (the dashboard shows the rest).
 */
export function parsePhiPolicy(value: string | undefined): PhiPolicy {
  const out: Partial<Record<Channel, PhiLevel>> = {};
  for (const item of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [channel, level] = item.split(':').map((s) => s.trim());
    if (!(CHANNELS as readonly string[]).includes(channel ?? '') || channel === 'in-app') throw new RangeError(`CARECOORD_DELIVERY_PHI: unknown channel "${channel}" (email, sms, voice, push)`);
    if (level !== PhiLevel.None && level !== PhiLevel.Names) throw new RangeError(`CARECOORD_DELIVERY_PHI: level must be none or names, got "${level}"`);
    out[channel as Channel] = level;
  }
  return out;
}

export interface AlertFacts {
  alertId: number;
  severity: Severity;
  /** The rule's code (e.g. readmission-30d): a category, not clinical detail. */
  ruleId: string;
}

export interface ComposedMessage {
  subject: string;
  body: string;
  link: string;
  carriesPhi: boolean;
}

/** The dashboard link of an alert: public URL + /alerts/:id. */
export function alertLink(publicUrl: string, alertId: number): string {
  return `${publicUrl.replace(/\/+$/, '')}/alerts/${alertId}`;
}

/**
 * The text of one alert for one channel (pure). Without a PHI allowance it names only the severity,
 * the rule's code and the link; `patientName` is used only where the policy allows names.
 */
export function composeMessage(facts: AlertFacts, channel: Channel, policy: PhiPolicy, publicUrl: string, patientName?: string): ComposedMessage {
  const link = alertLink(publicUrl, facts.alertId);
  const level = channel === 'in-app' ? PhiLevel.None : (policy[channel] ?? PhiLevel.None);
  const name = level === PhiLevel.Names && patientName ? patientName : undefined;
  const sev = facts.severity.toUpperCase();
  const subject = `carecoord: ${facts.severity} alert #${facts.alertId}`;
  const who = name ? ` Patient: ${name}.` : '';
  const body = channel === 'voice'
    ? `This is carecoord. A ${facts.severity} alert, ${facts.ruleId.replace(/[-_]/g, ' ')}, is waiting for you.${who} Please open the dashboard.`
    : `${sev} alert (${facts.ruleId}).${who} Open: ${link}`;
  return { subject, body, link, carriesPhi: name !== undefined };
}
