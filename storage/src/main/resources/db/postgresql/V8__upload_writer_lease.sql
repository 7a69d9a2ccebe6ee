-- PostgreSQL twin of db/migration/V8__upload_writer_lease.sql.
ALTER TABLE upload_sessions ADD COLUMN writer TEXT;
ALTER TABLE upload_sessions ADD COLUMN writer_until BIGINT;
