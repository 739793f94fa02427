import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../open.js';

/**
 * Audit entries younger than this can never be deleted: the database itself refuses (HIPAA
 * 45 CFR 164.316(b)(2)(i): six years). The floor lives in the chain head row and can only be raised.
 */
export const AUDIT_RETENTION_FLOOR_DAYS = 2192;

/** The chain's starting hash (as src/audit/hash.ts GENESIS_HASH). */
const GENESIS = '0'.repeat(64);

/**
 * The audit trail (src/audit): `audit_log`, one hash-chained row per audited event, and `audit_chain`,
 * the one-row chain head every append locks (last position and hash, the retention anchor, the floor).
 * Triggers keep both honest on SQLite and PostgreSQL alike:
 * - audit_log refuses UPDATE (and TRUNCATE); an INSERT must take the position and previous hash the head
 *   holds (only appendAudit does); a DELETE only of entries older than the floor AND behind the anchor;
 * - audit_chain only moves forward, its hashes are those of existing entries, and it cannot be deleted.
 */
export function auditMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      // The chain position, assigned from the head (no sequence: positions have no gaps).
      const id = dialect === 'postgres' ? sql`bigint primary key` : sql`integer primary key`;
      await sql`CREATE TABLE audit_log (
        id ${id},
        at bigint not null,
        actor text not null,
        user_id bigint,
        patient_id bigint,
        action text not null,
        entity_type text not null,
        entity_id text,
        source text not null,
        outcome text not null,
        detail text not null,
        prev_hash text not null,
        hash text not null
      )`.execute(db);
      await sql`CREATE INDEX audit_log_at ON audit_log (at)`.execute(db);
      await sql`CREATE INDEX audit_log_patient ON audit_log (patient_id, at)`.execute(db);
      await sql`CREATE INDEX audit_log_actor ON audit_log (actor, at)`.execute(db);
      await sql`CREATE INDEX audit_log_user ON audit_log (user_id, at)`.execute(db);
      await sql`CREATE TABLE audit_chain (
        id integer primary key check (id = 1),
        last_id bigint not null,
        last_hash text not null,
        anchor_id bigint not null,
        anchor_hash text not null,
        min_retention_days integer not null
      )`.execute(db);
      await sql`INSERT INTO audit_chain (id, last_id, last_hash, anchor_id, anchor_hash, min_retention_days)
        VALUES (1, 0, ${GENESIS}, 0, ${GENESIS}, ${AUDIT_RETENTION_FLOOR_DAYS})`.execute(db);
      if (dialect === 'postgres') await postgresGuards(db);
      else await sqliteGuards(db);
    },
  };
}

const MSG = {
  update: 'audit_log is append-only',
  insert: 'audit_log entries are appended through the chain head (appendAudit)',
  floor: 'audit_log entries are kept for the retention period',
  anchor: 'audit_log entries are removed only behind the retention anchor',
  head: 'the audit chain head only moves forward, to hashes of existing entries',
  headDelete: 'the audit chain head cannot be deleted',
} as const;

async function sqliteGuards(db: Kysely<any>): Promise<void> {
  const head = (column: string) => sql.raw(`(SELECT ${column} FROM audit_chain WHERE id = 1)`);
  await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, ${sql.raw(`'${MSG.update}'`)}); END`.execute(db);
  await sql`CREATE TRIGGER audit_log_insert_at_head BEFORE INSERT ON audit_log
    WHEN NEW.id IS NOT ${head('last_id')} OR NEW.prev_hash IS NOT ${head('last_hash')}
    BEGIN SELECT RAISE(ABORT, ${sql.raw(`'${MSG.insert}'`)}); END`.execute(db);
  // One trigger, two checks in order (SQLite does not define the order of several BEFORE triggers).
  await sql`CREATE TRIGGER audit_log_retention BEFORE DELETE ON audit_log
    BEGIN
      SELECT RAISE(ABORT, ${sql.raw(`'${MSG.floor}'`)})
        WHERE OLD.at > CAST(strftime('%s', 'now') AS INTEGER) * 1000 - ${head('min_retention_days')} * 86400000;
      SELECT RAISE(ABORT, ${sql.raw(`'${MSG.anchor}'`)}) WHERE OLD.id > ${head('anchor_id')};
    END`.execute(db);
  await sql`CREATE TRIGGER audit_chain_forward_only BEFORE UPDATE ON audit_chain
    WHEN NEW.id <> OLD.id OR NEW.last_id < OLD.last_id OR NEW.anchor_id < OLD.anchor_id OR NEW.anchor_id > NEW.last_id
      OR NEW.min_retention_days < OLD.min_retention_days
      OR (NEW.last_hash <> OLD.last_hash AND NEW.last_hash IS NOT (SELECT hash FROM audit_log WHERE id = NEW.last_id))
      OR (NEW.anchor_hash <> OLD.anchor_hash AND NEW.anchor_id = OLD.anchor_id)
      OR (NEW.anchor_id <> OLD.anchor_id AND NEW.anchor_hash IS NOT (SELECT hash FROM audit_log WHERE id = NEW.anchor_id))
    BEGIN SELECT RAISE(ABORT, ${sql.raw(`'${MSG.head}'`)}); END`.execute(db);
  await sql`CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
    BEGIN SELECT RAISE(ABORT, ${sql.raw(`'${MSG.headDelete}'`)}); END`.execute(db);
}

async function postgresGuards(db: Kysely<any>): Promise<void> {
  const raise = (msg: string) => `RAISE EXCEPTION '${msg}' USING ERRCODE = 'insufficient_privilege'`;
  await sql.raw(`CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN ${raise(MSG.update)}; END $$`).execute(db);
  await sql.raw(`CREATE FUNCTION audit_guard_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE h record;
    BEGIN
      SELECT last_id, last_hash INTO h FROM audit_chain WHERE id = 1;
      IF NEW.id IS DISTINCT FROM h.last_id OR NEW.prev_hash IS DISTINCT FROM h.last_hash THEN ${raise(MSG.insert)}; END IF;
      RETURN NEW;
    END $$`).execute(db);
  await sql.raw(`CREATE FUNCTION audit_guard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE h record;
    BEGIN
      SELECT anchor_id, min_retention_days INTO h FROM audit_chain WHERE id = 1;
      IF OLD.at > (extract(epoch from now()) * 1000)::bigint - h.min_retention_days::bigint * 86400000 THEN ${raise(MSG.floor)}; END IF;
      IF OLD.id > h.anchor_id THEN ${raise(MSG.anchor)}; END IF;
      RETURN OLD;
    END $$`).execute(db);
  await sql.raw(`CREATE FUNCTION audit_chain_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.id <> OLD.id OR NEW.last_id < OLD.last_id OR NEW.anchor_id < OLD.anchor_id OR NEW.anchor_id > NEW.last_id
        OR NEW.min_retention_days < OLD.min_retention_days
        OR (NEW.last_hash <> OLD.last_hash AND NEW.last_hash IS DISTINCT FROM (SELECT hash FROM audit_log WHERE id = NEW.last_id))
        OR (NEW.anchor_hash <> OLD.anchor_hash AND NEW.anchor_id = OLD.anchor_id)
        OR (NEW.anchor_id <> OLD.anchor_id AND NEW.anchor_hash IS DISTINCT FROM (SELECT hash FROM audit_log WHERE id = NEW.anchor_id)) THEN
        ${raise(MSG.head)};
      END IF;
      RETURN NEW;
    END $$`).execute(db);
  await sql.raw(`CREATE FUNCTION audit_chain_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN ${raise(MSG.headDelete)}; END $$`).execute(db);
  for (const stmt of [
    'CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()',
    'CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()',
    'CREATE TRIGGER audit_log_insert_at_head BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_guard_insert()',
    'CREATE TRIGGER audit_log_retention BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_guard_delete()',
    'CREATE TRIGGER audit_chain_forward_only BEFORE UPDATE ON audit_chain FOR EACH ROW EXECUTE FUNCTION audit_chain_guard_update()',
    'CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain FOR EACH ROW EXECUTE FUNCTION audit_chain_refuse_delete()',
    'CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_refuse_delete()',
  ]) await sql.raw(stmt).execute(db);
}
