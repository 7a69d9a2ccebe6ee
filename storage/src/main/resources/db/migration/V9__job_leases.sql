-- One run at a time of a background job (backup, scrub) across every replica that shares this
-- database, and when the last run of it started anywhere. A replica runs the job only while it holds
-- the job's row (taken with one conditional statement, renewed while it runs, given back at the end);
-- a holder that died leaves a lease that expires, and another replica may then take it.
-- last_started_at outlives the lease: a replica's schedule counts the interval from it, so replicas
-- with the same schedule run the job once per interval between them, not once each. Times are epoch
-- milliseconds; holder, run_id and expires_at are NULL while nobody holds the lease.
CREATE TABLE job_leases (
    name            TEXT PRIMARY KEY,
    holder          TEXT,
    run_id          TEXT,
    expires_at      BIGINT,
    last_started_at BIGINT
);
