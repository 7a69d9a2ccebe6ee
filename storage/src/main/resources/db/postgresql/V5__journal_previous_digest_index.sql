-- PostgreSQL twin of db/migration/V5__journal_previous_digest_index.sql.
CREATE INDEX tag_events_by_previous_digest ON tag_events (repository_id, previous_digest);

CREATE INDEX manifest_references_by_kind_target ON manifest_references (repository_id, kind, referenced_digest, manifest_digest);
