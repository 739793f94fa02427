/**
 * JSON schemas of the auth routes (Fastify validates bodies with them and serialises replies
 * through them, so a reply can only carry the fields listed here).
 */

export const errorReply = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

const user = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'username', 'displayName', 'roles'],
} as const;

/** Who is signed in and until when: the answer of login, GET/POST session, MFA confirm and password change. */
export const sessionReply = {
  type: 'object',
  properties: {
    user,
    /** Send back in X-CSRF-Token on every POST/PUT/PATCH/DELETE. */
    csrfToken: { type: 'string' },
    /** full | mfa-enrolment | password-change */
    access: { type: 'string' },
    mfaRequired: { type: 'boolean' },
    enrolmentRequired: { type: 'boolean' },
    passwordChangeRequired: { type: 'boolean' },
    /** ISO 8601: the session ends then unless used again (the dashboard warns before it). */
    idleExpiresAt: { type: 'string' },
    /** ISO 8601: the absolute end, however active. */
    expiresAt: { type: 'string' },
    idleTimeoutSeconds: { type: 'integer' },
    /** ISO 8601, so the dashboard can allow for its own clock being off. */
    serverTime: { type: 'string' },
  },
  required: ['user', 'csrfToken', 'access', 'mfaRequired', 'enrolmentRequired', 'passwordChangeRequired', 'idleExpiresAt', 'expiresAt', 'idleTimeoutSeconds', 'serverTime'],
} as const;

const totpCode = { type: 'string', pattern: '^[0-9]{6}$' } as const;

export const loginBody = {
  type: 'object',
  properties: {
    // Usernames have at most 64 characters (care/user.ts).
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
    totp: totpCode,
  },
  required: ['username', 'password'],
  additionalProperties: false,
} as const;

export const confirmBody = {
  type: 'object',
  properties: { code: totpCode },
  required: ['code'],
  additionalProperties: false,
} as const;

export const passwordBody = {
  type: 'object',
  properties: {
    currentPassword: { type: 'string', minLength: 1, maxLength: 1024 },
    newPassword: { type: 'string', minLength: 1, maxLength: 1024 },
  },
  required: ['currentPassword', 'newPassword'],
  additionalProperties: false,
} as const;

export const enrolReply = {
  type: 'object',
  properties: { secret: { type: 'string' }, otpauthUri: { type: 'string' } },
  required: ['secret', 'otpauthUri'],
} as const;

export const logoutAllReply = {
  type: 'object',
  properties: { sessionsEnded: { type: 'integer' } },
  required: ['sessionsEnded'],
} as const;

/** The error replies every auth route may give. */
export const errorReplies = { '4xx': errorReply, '5xx': errorReply } as const;
