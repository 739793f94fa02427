import type { UserRole } from '../care/user.js';

/** Who is asking: the signed-in user (request.user) and where from. Every scoped read starts from one. */
export interface Caller {
  userId: number;
  username: string;
  roles: readonly UserRole[];
  /** Client IP, for the audit trail. */
  source: string;
}
