-- PostgreSQL twin of db/migration/V6__backup_changes.sql, which explains the counter; the same
-- three moments advance it, here through plpgsql trigger functions.
--
-- The counter is a row updated inside the changing transaction, not a SEQUENCE: a sequence value
-- is handed out at once, so a transaction could commit change 7 after a backup had already read
-- 8 and saved 8 as its watermark, and change 7 would never be copied. The row's lock makes every
-- manifest change wait for the previous one to commit, so a value read is never undercut later.

CREATE TABLE change_counter (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT  NOT NULL
);
INSERT INTO change_counter (id, seq) VALUES (1, 0);

ALTER TABLE manifests ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX manifests_by_change ON manifests (change_seq);

-- An insert is stamped after it happened (an INSERT ... ON CONFLICT DO NOTHING that inserts
-- nothing must not move the counter, and BEFORE INSERT triggers run even then).
CREATE FUNCTION manifests_stamp_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET seq = seq + 1 WHERE id = 1;
    UPDATE manifests SET change_seq = (SELECT seq FROM change_counter WHERE id = 1)
        WHERE repository_id = NEW.repository_id AND digest = NEW.digest;
    RETURN NULL;
END
$$;

CREATE FUNCTION manifests_stamp_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO NEW.change_seq;
    RETURN NEW;
END
$$;

CREATE FUNCTION manifests_count_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET seq = seq + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER manifests_changed_on_insert AFTER INSERT ON manifests
    FOR EACH ROW EXECUTE FUNCTION manifests_stamp_inserted();

CREATE TRIGGER manifests_changed_on_state BEFORE UPDATE OF deleted_at, swept_at ON manifests
    FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.swept_at IS DISTINCT FROM NEW.swept_at)
    EXECUTE FUNCTION manifests_stamp_state();

CREATE TRIGGER manifests_changed_on_delete AFTER DELETE ON manifests
    FOR EACH ROW EXECUTE FUNCTION manifests_count_removal();

CREATE TABLE registry_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    registry_id TEXT    NOT NULL
);
-- 32 random hex digits, as SQLite's lower(hex(randomblob(16))).
INSERT INTO registry_identity (id, registry_id) VALUES (1, replace(gen_random_uuid()::text, '-', ''));
