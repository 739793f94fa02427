import { invalidInput } from './errors.js';
import { oneOf, optionalText, requiredText } from './validate.js';

/** What a user may do in carecoord (access control builds on these with the API). */
export const UserRole = {
  /** Runs care episodes: teams, plans, tasks. */
  Coordinator: 'coordinator',
  Physician: 'physician',
  /** Visits patients at home (nurse, therapist, aide). */
  FieldClinician: 'field-clinician',
  Supervisor: 'supervisor',
  /** Manages users and configuration. */
  Admin: 'admin',
  /** Reads the audit trail. */
  Auditor: 'auditor',
  /** Runs the HL7 interfaces: the message log (search, raw view, reprocess) and the patient-match review queue. */
  InterfaceAnalyst: 'interface-analyst',
  PrivacyOfficer: 'privacy-officer',
} as const;
export type UserRole = (typeof UserRole)[keyof typeof UserRole];
export const USER_ROLES: readonly UserRole[] = Object.values(UserRole);

export const UserStatus = {
  Active: 'active',
  /** Cannot be assigned work; kept for history (teams, tasks, audit name them). */
  Disabled: 'disabled',
} as const;
export type UserStatus = (typeof UserStatus)[keyof typeof UserStatus];

export interface User {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  roles: UserRole[];
  status: UserStatus;
  createdAt: number;
  updatedAt: number;
}

export interface NewUser {
  username: string;
  displayName: string;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  roles: readonly string[];
}

const USERNAME_RE = /^[a-z0-9][a-z0-9._@-]{1,63}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?[0-9][0-9 ().-]{5,30}$/;

/** Validate and normalise a new user: username lower-cased, roles deduplicated and sorted. */
export function validateNewUser(input: NewUser): Omit<User, 'id' | 'status' | 'createdAt' | 'updatedAt'> {
  const username = requiredText('username', input.username, 64).toLowerCase();
  if (!USERNAME_RE.test(username)) {
    throw invalidInput('username', 'username must be 2 to 64 characters: letters, digits, ".", "_", "@" or "-", starting with a letter or digit');
  }
  const email = optionalText('email', input.email, 254);
  if (email !== null && !EMAIL_RE.test(email)) throw invalidInput('email', 'email is not an address');
  const phone = optionalText('phone', input.phone, 32);
  if (phone !== null && !PHONE_RE.test(phone)) throw invalidInput('phone', 'phone must be digits, optionally with +, spaces, dots, dashes or parentheses');
  return { username, displayName: requiredText('displayName', input.displayName, 200), email, phone, roles: validateRoles(input.roles) };
}

export function validateRoles(roles: readonly string[]): UserRole[] {
  if (!Array.isArray(roles) || roles.length === 0) throw invalidInput('roles', `roles needs at least one of ${USER_ROLES.join(', ')}`);
  const valid = roles.map((r) => oneOf('roles', r, USER_ROLES));
  return [...new Set(valid)].sort();
}
