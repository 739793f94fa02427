import type { UserRole } from '../care/user.js';

/**
 * Who may see what (pure). A clinical user sees a patient only while on the current team of one of
 * the patient's active or on-hold episodes, or through a live break-the-glass grant. Roles add what
 * is listed here and nothing else: admin administers without clinical data (unless also on the
 * team), the auditor reads audit data only, the privacy officer also reviews break-the-glass grants, the
 * interface analyst (and the admin) work the HL7 message log and the patient-match review queue.
 */
export const Permission = {
  /** Every patient's clinical data without being on the team. No role holds it today (minimum necessary). */
  AllPatients: 'all-patients',
  /** Take emergency access to a patient outside one's teams (clinical roles). */
  BreakGlass: 'break-glass',
  /** List and review the break-the-glass grants. */
  ReviewBreakGlass: 'review-break-glass',
  /** Read the audit trail. */
  AuditData: 'audit-data',
  /** Users, configuration (no clinical data). */
  Administration: 'administration',
  /**
   * The HL7 interfaces: the message log (metadata, raw messages, reprocess) and the patient-match
   * review queue. Raw messages are PHI of any patient: each view is audited as a message-view.
   */
  Interfaces: 'interfaces',
  /**
   * Care-team assignments without clinical data: find a patient by identifier, or name and birth
   * date (only what an assignment needs), open an episode, list and change its team.
   */
  ManageCareTeams: 'manage-care-teams',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const ROLE_PERMISSIONS: Readonly<Record<UserRole, readonly Permission[]>> = {
  coordinator: [Permission.BreakGlass],
  physician: [Permission.BreakGlass],
  'field-clinician': [Permission.BreakGlass],
  supervisor: [Permission.BreakGlass],
  // The administrator also runs the interfaces (the README's interface analyst section is theirs too).
  admin: [Permission.Administration, Permission.Interfaces, Permission.ManageCareTeams],
  'interface-analyst': [Permission.Interfaces],
  auditor: [Permission.AuditData],
  'privacy-officer': [Permission.AuditData, Permission.ReviewBreakGlass],
};

/** Whether any of the roles grants the permission (unknown role names grant nothing). */
export function can(roles: readonly string[], permission: Permission): boolean {
  return roles.some((r) => (ROLE_PERMISSIONS as Record<string, readonly Permission[] | undefined>)[r]?.includes(permission) ?? false);
}

/** Episode statuses whose current team members see the patient. */
export const VISIBLE_EPISODE_STATUSES = ['active', 'on-hold'] as const;

/** Default length of a break-the-glass grant: 4 hours. */
export const DEFAULT_BREAK_GLASS_MS = 4 * 3_600_000;
/** A reason must say something: at least this many characters (after trimming). */
export const BREAK_GLASS_REASON_MIN = 20;
export const BREAK_GLASS_REASON_MAX = 1000;

/** How the caller reached a patient: recorded in the audit entry of every read. */
export type AccessPath = 'care-team' | 'break-glass' | 'role';
