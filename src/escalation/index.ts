export * from './errors.js';
export * from './policy.js';
export * from './recipients.js';
export { EscalationListener } from './listener.js';
export {
  escalationTimerHandler, raiseEscalation, resumeEscalation, severityChanged, snoozeEscalation, stopEscalation,
  type AlertReopener, type DeliveryJob, type DeliverySink, type EscalationDeps, type EscalationLog,
} from './service.js';
export { getPolicy, listRecipients, savePolicy, getEscalation, type Escalation, type StoredRecipient } from './store.js';
export { TimerScheduler, type SchedulerLog, type TimerHandler, type TimerSchedulerOptions } from './timer-scheduler.js';
export { TimerKind, listTimers, pendingTimers, type AlertTimer } from './timer-store.js';
