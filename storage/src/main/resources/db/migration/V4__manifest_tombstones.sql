-- A manifest the journal knows is not erased by the garbage collector but kept as a tombstone:
-- its bytes and references stay (they are small), marked swept_at, so an undelete can name
-- exactly which blobs were collected, and re-importing those blobs is all a recovery needs.
-- A tombstone is invisible to clients, is no GC root, and holds no blob.
ALTER TABLE manifests ADD COLUMN swept_at BIGINT;
