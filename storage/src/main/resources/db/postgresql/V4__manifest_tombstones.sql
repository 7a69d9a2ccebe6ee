-- PostgreSQL twin of db/migration/V4__manifest_tombstones.sql.
ALTER TABLE manifests ADD COLUMN swept_at BIGINT;
