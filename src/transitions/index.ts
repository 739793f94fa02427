/**
 * Transitions of care: the business-day calendar (calendar.ts, holidays.ts, holiday-file.ts), what a
 * hospital discharge or admission means for the patient's care (plan.ts, pure), the EventReaction
 * that writes it (reaction.ts), and the overdue-task reminders (reminders.ts).
 */
export * from './errors.js';
export * from './holidays.js';
export * from './calendar.js';
export * from './holiday-file.js';
export * from './plan.js';
export * from './reaction.js';
export * from './reminders.js';
export * from './settings.js';
