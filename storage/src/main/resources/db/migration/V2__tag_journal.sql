-- The tag journal: every change of a tag is an event, never an erasure (invariant 5).
-- Events are append-only; "pushed" is a tag's first push (or a push after it was deleted),
-- "moved" a push of another digest to a live tag, "deleted" a tag or manifest delete,
-- "restored" an undelete or roll-back. A soft-deleted manifest keeps its row and bytes, marked
-- with deleted_at, until the garbage collector may remove it after the retention window.

CREATE TABLE tag_events (
    id              INTEGER PRIMARY KEY,
    repository_id   INTEGER NOT NULL REFERENCES repositories (id),
    tag             TEXT    NOT NULL,
    event_type      TEXT    NOT NULL CHECK (event_type IN ('pushed', 'moved', 'deleted', 'restored')),
    digest          TEXT    NOT NULL,
    previous_digest TEXT,
    at              BIGINT  NOT NULL,
    actor           TEXT    NOT NULL
);
CREATE INDEX tag_events_by_tag ON tag_events (repository_id, tag, id);
CREATE INDEX tag_events_by_digest ON tag_events (repository_id, digest);

ALTER TABLE manifests ADD COLUMN deleted_at BIGINT;
ALTER TABLE manifests ADD COLUMN deleted_by TEXT;
