-- The collector asks, per manifest, whether a recent journal event names it as digest or as
-- previous digest; each side needs its own index to stay one lookup on large registries.
CREATE INDEX tag_events_by_previous_digest ON tag_events (repository_id, previous_digest);

-- "Is this manifest still a child of another one?" per manifest: one lookup, not a scan of every
-- reference in the repository.
CREATE INDEX manifest_references_by_kind_target ON manifest_references (repository_id, kind, referenced_digest, manifest_digest);
