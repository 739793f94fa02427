import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * The care domain: users, patients and their identity, encounters, clinical events and observations,
 * care episodes with their team and plan, tasks, and the identity review queue and merges.
 * Conventions (both dialects): times are epoch milliseconds (bigint); calendar dates are 'YYYY-MM-DD'
 * text; booleans are 0/1 integers; structured payloads are JSON text. Ids are integers.
 */
export function careMigration(dialect: DialectName): Migration {
  const id = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  const run = (db: Kysely<any>, q: RawBuilder<unknown>) => q.execute(db);
  return {
    async up(db: Kysely<any>) {
      await run(db, sql`CREATE TABLE app_user (
        id ${id},
        username text not null unique,
        display_name text not null,
        email text,
        phone text,
        roles text not null default '[]',
        status text not null default 'active',
        created_at bigint not null,
        updated_at bigint not null
      )`);

      await run(db, sql`CREATE TABLE patient (
        id ${id},
        status text not null,
        merged_into bigint references patient(id),
        family_name text,
        given_name text,
        middle_name text,
        birth_date text,
        sex text,
        ssn_last4 text,
        language text,
        address_line text,
        city text,
        state text,
        postcode text,
        phone text,
        deceased_at bigint,
        demographics text not null default '{}',
        source_entry_id bigint,
        created_at bigint not null,
        updated_at bigint not null
      )`);
      await run(db, sql`CREATE INDEX patient_merged_into ON patient (merged_into)`);
      await run(db, sql`CREATE INDEX patient_status ON patient (status, id)`);

      // Names with history: the current names have valid_to null.
      await run(db, sql`CREATE TABLE patient_name (
        id ${id},
        patient_id bigint not null references patient(id),
        family text,
        given text,
        middle text,
        prefix text,
        suffix text,
        name_type text,
        valid_from bigint not null,
        valid_to bigint,
        source_entry_id bigint
      )`);
      await run(db, sql`CREATE INDEX patient_name_patient ON patient_name (patient_id, valid_to)`);

      // Every earlier version of a patient's demographics (A08 and A31 keep history).
      await run(db, sql`CREATE TABLE patient_demographics_history (
        id ${id},
        patient_id bigint not null references patient(id),
        replaced_at bigint not null,
        source_entry_id bigint,
        demographics text not null
      )`);
      await run(db, sql`CREATE INDEX patient_demographics_history_patient ON patient_demographics_history (patient_id, replaced_at)`);

      // An identifier is unique per assigning authority (or facility when no authority is given; '' when neither).
      await run(db, sql`CREATE TABLE patient_identifier (
        id ${id},
        patient_id bigint not null references patient(id),
        authority text not null,
        value text not null,
        type_code text,
        facility text,
        moved_from bigint,
        source_entry_id bigint,
        created_at bigint not null
      )`);
      await run(db, sql`CREATE UNIQUE INDEX patient_identifier_key ON patient_identifier (authority, value)`);
      await run(db, sql`CREATE INDEX patient_identifier_patient ON patient_identifier (patient_id)`);

      // Blocking keys of the probabilistic matcher: a lookup reads the patients sharing a key.
      await run(db, sql`CREATE TABLE patient_match_key (
        match_key text not null,
        patient_id bigint not null references patient(id),
        primary key (match_key, patient_id)
      )`);
      await run(db, sql`CREATE INDEX patient_match_key_patient ON patient_match_key (patient_id)`);

      await run(db, sql`CREATE TABLE patient_coverage (
        id ${id},
        patient_id bigint not null references patient(id),
        set_id text,
        plan_id text,
        plan_name text,
        company_id text,
        company_name text,
        group_number text,
        member_id text,
        effective_date text,
        expiration_date text,
        source_entry_id bigint,
        updated_at bigint not null
      )`);
      await run(db, sql`CREATE INDEX patient_coverage_patient ON patient_coverage (patient_id)`);

      await run(db, sql`CREATE TABLE encounter (
        id ${id},
        patient_id bigint not null references patient(id),
        facility text not null,
        visit_number text,
        patient_class text,
        status text not null,
        admitted_at bigint,
        discharged_at bigint,
        location text,
        hospital_service text,
        attending text,
        admit_source text,
        discharge_disposition text,
        discharged_to text,
        created_at bigint not null,
        updated_at bigint not null
      )`);
      await run(db, sql`CREATE INDEX encounter_visit ON encounter (facility, visit_number)`);
      await run(db, sql`CREATE INDEX encounter_patient ON encounter (patient_id, admitted_at)`);

      await run(db, sql`CREATE TABLE patient_diagnosis (
        id ${id},
        patient_id bigint not null references patient(id),
        encounter_id bigint references encounter(id),
        code text,
        code_system text,
        description text,
        diagnosis_type text,
        recorded_at bigint not null,
        source_entry_id bigint
      )`);
      await run(db, sql`CREATE INDEX patient_diagnosis_patient ON patient_diagnosis (patient_id)`);

      // What happened to a patient, when it happened (not when we heard of it), and from which message.
      await run(db, sql`CREATE TABLE clinical_event (
        id ${id},
        patient_id bigint not null references patient(id),
        encounter_id bigint references encounter(id),
        event_type text not null,
        occurred_at bigint not null,
        recorded_at bigint not null,
        facility text,
        source_entry_id bigint,
        message_type text,
        payload text not null default '{}',
        out_of_order integer not null default 0,
        withdrawn_at bigint,
        withdrawn_by bigint
      )`);
      await run(db, sql`CREATE INDEX clinical_event_patient ON clinical_event (patient_id, occurred_at)`);
      await run(db, sql`CREATE INDEX clinical_event_encounter ON clinical_event (encounter_id, occurred_at)`);
      await run(db, sql`CREATE INDEX clinical_event_entry ON clinical_event (source_entry_id)`);

      await run(db, sql`CREATE TABLE observation (
        id ${id},
        patient_id bigint not null references patient(id),
        event_id bigint not null references clinical_event(id),
        encounter_id bigint references encounter(id),
        order_code text,
        order_text text,
        filler_order text,
        set_id text,
        code text,
        code_system text,
        code_text text,
        value_type text,
        value text,
        value_num double precision,
        units text,
        reference_range text,
        abnormal_flags text,
        interpretation text,
        result_status text,
        observed_at bigint not null,
        notes text,
        source_entry_id bigint
      )`);
      await run(db, sql`CREATE INDEX observation_patient_code ON observation (patient_id, code, observed_at)`);
      await run(db, sql`CREATE INDEX observation_event ON observation (event_id)`);

      await run(db, sql`CREATE TABLE care_episode (
        id ${id},
        patient_id bigint not null references patient(id),
        episode_type text not null,
        goal text,
        status text not null,
        start_at bigint not null,
        end_at bigint,
        created_by text,
        created_at bigint not null,
        updated_at bigint not null
      )`);
      await run(db, sql`CREATE INDEX care_episode_patient ON care_episode (patient_id, status)`);

      await run(db, sql`CREATE TABLE care_team_member (
        id ${id},
        episode_id bigint not null references care_episode(id),
        user_id bigint not null references app_user(id),
        role text not null,
        is_primary integer not null default 0,
        active_from bigint not null,
        active_to bigint,
        created_at bigint not null
      )`);
      await run(db, sql`CREATE INDEX care_team_member_episode ON care_team_member (episode_id)`);
      await run(db, sql`CREATE INDEX care_team_member_user ON care_team_member (user_id, active_to)`);

      await run(db, sql`CREATE TABLE care_plan_goal (
        id ${id},
        episode_id bigint not null references care_episode(id),
        description text not null,
        target_date text,
        status text not null,
        achieved_at bigint,
        created_at bigint not null,
        updated_at bigint not null
      )`);
      await run(db, sql`CREATE INDEX care_plan_goal_episode ON care_plan_goal (episode_id)`);

      await run(db, sql`CREATE TABLE care_plan_intervention (
        id ${id},
        episode_id bigint not null references care_episode(id),
        description text not null,
        discipline text,
        status text not null,
        created_at bigint not null,
        updated_at bigint not null
      )`);
      await run(db, sql`CREATE INDEX care_plan_intervention_episode ON care_plan_intervention (episode_id)`);

      // Recurring visits of a care plan (every N days from start_date, optionally until end_date).
      await run(db, sql`CREATE TABLE visit_schedule (
        id ${id},
        episode_id bigint not null references care_episode(id),
        visit_type text not null,
        discipline text,
        assignee_user_id bigint references app_user(id),
        assignee_role text,
        every_days integer not null,
        start_date text not null,
        end_date text,
        status text not null,
        hold_reason text,
        held_at bigint,
        created_at bigint not null,
        updated_at bigint not null
      )`);
      await run(db, sql`CREATE INDEX visit_schedule_episode ON visit_schedule (episode_id)`);

      // A visit that took place (or was cancelled/missed), against a schedule's due date when it had one.
      await run(db, sql`CREATE TABLE care_visit (
        id ${id},
        episode_id bigint not null references care_episode(id),
        schedule_id bigint references visit_schedule(id),
        due_date text,
        status text not null,
        visited_at bigint,
        user_id bigint references app_user(id),
        note text,
        created_at bigint not null
      )`);
      await run(db, sql`CREATE INDEX care_visit_episode ON care_visit (episode_id, due_date)`);

      await run(db, sql`CREATE TABLE task (
        id ${id},
        patient_id bigint not null references patient(id),
        episode_id bigint references care_episode(id),
        alert_id bigint,
        source_event_id bigint references clinical_event(id),
        title text not null,
        description text,
        assignee_user_id bigint references app_user(id),
        assignee_role text,
        due_at bigint,
        priority text not null,
        status text not null,
        created_by text,
        created_at bigint not null,
        updated_at bigint not null,
        completed_at bigint,
        completed_by text,
        completion_note text
      )`);
      await run(db, sql`CREATE INDEX task_patient ON task (patient_id, status)`);
      await run(db, sql`CREATE INDEX task_assignee ON task (assignee_user_id, status, due_at)`);

      // Identity review queue: an incoming record parked on a staging patient, with its candidates.
      await run(db, sql`CREATE TABLE match_review (
        id ${id},
        patient_id bigint not null references patient(id),
        source_entry_id bigint,
        status text not null,
        candidates text not null,
        incoming text not null,
        created_at bigint not null,
        decided_at bigint,
        decided_by text,
        decision text,
        decision_note text,
        merge_id bigint
      )`);
      await run(db, sql`CREATE INDEX match_review_status ON match_review (status, id)`);

      // A merge of one patient into another (ADT A40, a reviewer's link, an administrator): what moved,
      // so that it can be reversed.
      await run(db, sql`CREATE TABLE patient_merge (
        id ${id},
        survivor_id bigint not null references patient(id),
        merged_id bigint not null references patient(id),
        source text not null,
        source_entry_id bigint,
        decided_by text,
        merged_at bigint not null,
        moved text not null,
        reversed_at bigint,
        reversed_by text
      )`);
      await run(db, sql`CREATE INDEX patient_merge_merged ON patient_merge (merged_id)`);
    },
  };
}
