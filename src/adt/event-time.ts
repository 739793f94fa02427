/**
 * When an ADT event happened, as the message says it (pure). Encounters are folded in this order, so
 * the choice decides what a late message changes. The receive time is used only when the message
 * carries no time at all.
 */

/** Where the event time came from (kept in the event payload). */
export const EventTimeSource = {
  /** EVN-6 event occurred (HL7 v2.5.1 §3.4.1.6): when the event actually happened. */
  EventOccurred: 'EVN-6',
  /** EVN-2 recorded date/time (§3.4.1.2): when the sending system recorded it. */
  EventRecorded: 'EVN-2',
  /** PV1-44 admit date/time (§3.4.3.44), for admits and registrations. */
  AdmitTime: 'PV1-44',
  /** PV1-45 discharge date/time (§3.4.3.45), for discharges. */
  DischargeTime: 'PV1-45',
  /** MSH-7 date/time of message (§2.14.9.7). */
  MessageTime: 'MSH-7',
  /** The time carecoord logged the message: only when none of the above is valued. */
  Received: 'received',
} as const;
export type EventTimeSource = (typeof EventTimeSource)[keyof typeof EventTimeSource];

/** The candidate times of one message, epoch ms (undefined when absent or unreadable). */
export interface EventTimes {
  evnOccurred?: number | undefined;
  evnRecorded?: number | undefined;
  admitTime?: number | undefined;
  dischargeTime?: number | undefined;
  messageTime?: number | undefined;
  receivedAt: number;
}

/**
 * EVN-6, else EVN-2, else the PV1 time that fits the event (`visitTime`: PV1-44 for admits, PV1-45 for
 * discharges; none for other events), else MSH-7, else the receive time.
 */
export function chooseEventTime(t: EventTimes, visitTime?: 'admit' | 'discharge'): { at: number; source: EventTimeSource } {
  if (t.evnOccurred !== undefined) return { at: t.evnOccurred, source: EventTimeSource.EventOccurred };
  if (t.evnRecorded !== undefined) return { at: t.evnRecorded, source: EventTimeSource.EventRecorded };
  if (visitTime === 'admit' && t.admitTime !== undefined) return { at: t.admitTime, source: EventTimeSource.AdmitTime };
  if (visitTime === 'discharge' && t.dischargeTime !== undefined) return { at: t.dischargeTime, source: EventTimeSource.DischargeTime };
  if (t.messageTime !== undefined) return { at: t.messageTime, source: EventTimeSource.MessageTime };
  return { at: t.receivedAt, source: EventTimeSource.Received };
}
