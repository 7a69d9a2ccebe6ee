-- What an incremental backup asks: "what changed since my last run?", answered from indexes instead
-- of a scan of every row.
--
-- change_counter is one registry-wide sequence that only grows. Every change of a manifest row
-- takes its next value: the insert, a soft delete or revive (deleted_at), a sweep (swept_at), and
-- the removal of a row (which leaves only the counter moved, so a backup still sees that something
-- changed). The row keeps the value of its last change in change_seq. Triggers keep both, so no
-- write path (push, delete, undelete, the collector) can forget to. Tag changes need no counter:
-- each is a tag_events row, whose id already grows.
--
-- Rows that exist before this migration keep change_seq 0: a first backup asks for
-- "changed after -1" and gets them all.
--
-- registry_identity names this database, so a backup directory can tell whether it is continuing
-- a copy of the same registry (its watermarks mean nothing against another one).

CREATE TABLE change_counter (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT  NOT NULL
);
INSERT INTO change_counter (id, seq) VALUES (1, 0);

ALTER TABLE manifests ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX manifests_by_change ON manifests (change_seq);

CREATE TRIGGER manifests_changed_on_insert AFTER INSERT ON manifests
BEGIN
    UPDATE change_counter SET seq = seq + 1 WHERE id = 1;
    UPDATE manifests SET change_seq = (SELECT seq FROM change_counter WHERE id = 1)
        WHERE repository_id = NEW.repository_id AND digest = NEW.digest;
END;

CREATE TRIGGER manifests_changed_on_state AFTER UPDATE OF deleted_at, swept_at ON manifests
    WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.swept_at IS NOT NEW.swept_at
BEGIN
    UPDATE change_counter SET seq = seq + 1 WHERE id = 1;
    UPDATE manifests SET change_seq = (SELECT seq FROM change_counter WHERE id = 1)
        WHERE repository_id = NEW.repository_id AND digest = NEW.digest;
END;

CREATE TRIGGER manifests_changed_on_delete AFTER DELETE ON manifests
BEGIN
    UPDATE change_counter SET seq = seq + 1 WHERE id = 1;
END;

CREATE TABLE registry_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    registry_id TEXT    NOT NULL
);
INSERT INTO registry_identity (id, registry_id) VALUES (1, lower(hex(randomblob(16))));
