import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * What the care services need beyond the care schema: who changed what and when (`care_change`, one
 * row per change, so a status history survives later changes), and the database's own guard of two
 * rules the services enforce: at most one current primary care coordinator per episode, and at most
 * one recorded visit per schedule and due date.
 */
export function careServiceMigration(dialect: DialectName): Migration {
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  return {
    async up(db: Kysely<any>) {
      await sql`CREATE TABLE care_change (
        id ${id},
        at bigint not null,
        actor text not null,
        entity text not null,
        entity_id bigint not null,
        action text not null,
        patient_id bigint,
        episode_id bigint,
        detail text not null default '{}'
      )`.execute(db);
      await sql`CREATE INDEX care_change_entity ON care_change (entity, entity_id, id)`.execute(db);
      await sql`CREATE INDEX care_change_episode ON care_change (episode_id, id)`.execute(db);
      await sql`CREATE INDEX care_change_patient ON care_change (patient_id, id)`.execute(db);
      await sql`CREATE UNIQUE INDEX care_team_member_one_primary ON care_team_member (episode_id) WHERE is_primary = 1 AND active_to IS NULL`.execute(db);
      await sql`CREATE UNIQUE INDEX care_visit_schedule_due ON care_visit (schedule_id, due_date) WHERE schedule_id IS NOT NULL`.execute(db);
      await sql`CREATE INDEX task_assignee_role ON task (assignee_role, status, due_at)`.execute(db);
    },
  };
}
