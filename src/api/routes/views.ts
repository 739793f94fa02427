import type { TaskRecord } from '../../access/index.js';
import { iso } from './context.js';

/** A task as the API shows it (schemas.taskView). */
export const taskView = (t: TaskRecord) => ({
  ...t, dueAt: iso(t.dueAt), createdAt: iso(t.createdAt), completedAt: iso(t.completedAt),
});
