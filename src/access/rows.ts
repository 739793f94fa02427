import type { Selectable } from 'kysely';
import type { TaskTable } from '../store/schema.js';
import type { TaskRecord } from './records.js';

const n = (v: number | null): number | null => (v === null ? null : Number(v));

/** A task row as the access layer returns it. */
export function toTask(r: Selectable<TaskTable>): TaskRecord {
  return {
    id: Number(r.id), patientId: Number(r.patient_id), episodeId: n(r.episode_id), title: r.title, status: r.status, priority: r.priority,
    dueAt: n(r.due_at), assigneeUserId: n(r.assignee_user_id), assigneeRole: r.assignee_role, createdAt: Number(r.created_at),
    completedAt: n(r.completed_at), completedBy: r.completed_by, completionNote: r.completion_note,
  };
}
