/** JSON schemas shared by the API routes (validation in, serialisation out, and the OpenAPI document). */

export const errorReply = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;

/** The error replies every signed-in route can give. */
export const errorReplies = {
  400: { ...errorReply, description: 'invalid request: the message names the field' },
  401: { ...errorReply, description: 'not signed in, or the session ended' },
  403: { ...errorReply, description: 'CSRF token missing, or the roles do not allow it' },
  404: { ...errorReply, description: 'not found, or not visible to the caller (the same answer)' },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: 9007199254740991 } },
  additionalProperties: false,
} as const;

export const time = { type: 'string', format: 'date-time' } as const;
export const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const nullableString = { type: ['string', 'null'] } as const;
export const nullableInteger = { type: ['integer', 'null'] } as const;

export const taskView = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, patientId: { type: 'integer' }, episodeId: nullableInteger, title: { type: 'string' }, status: { type: 'string' },
    priority: { type: 'string' }, dueAt: nullableTime, assigneeUserId: nullableInteger, assigneeRole: nullableString, createdAt: time,
    completedAt: nullableTime, completedBy: nullableString, completionNote: nullableString,
  },
} as const;
