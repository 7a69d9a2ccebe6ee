-- PostgreSQL twin of db/migration/V9__job_leases.sql.
CREATE TABLE job_leases (
    name            TEXT PRIMARY KEY,
    holder          TEXT,
    run_id          TEXT,
    expires_at      BIGINT,
    last_started_at BIGINT
);
