import type { UserRole, UserStatus } from '../care/user.js';
import type { SessionEndReason } from './session.js';

/** What sign-in needs to know about a user (the app_user row, src/store/auth.ts). Never serialised whole. */
export interface Credentials {
  userId: number;
  username: string;
  displayName: string;
  roles: UserRole[];
  status: UserStatus;
  /** argon2id PHC string; null until an administrator sets a password. */
  passwordHash: string | null;
  passwordChangedAt: number | null;
  mustChangePassword: boolean;
  /** Base32 TOTP secret: pending while mfaEnrolled is false. */
  mfaSecret: string | null;
  mfaEnrolled: boolean;
  mfaLastStep: number | null;
  failedLogins: number;
  lockedUntil: number | null;
}

/** A server-side session row; the token is not part of it (only its hash is stored). */
export interface SessionRecord {
  id: number;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  endedAt: number | null;
  endReason: SessionEndReason | null;
  ip: string | null;
  userAgent: string | null;
}

export type NewSession = Omit<SessionRecord, 'id' | 'endedAt' | 'endReason'> & { tokenHash: string };
