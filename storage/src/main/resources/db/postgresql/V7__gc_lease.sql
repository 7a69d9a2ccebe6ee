-- PostgreSQL twin of db/migration/V7__gc_lease.sql.
CREATE TABLE gc_lease (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    holder     TEXT,
    run_id     TEXT,
    expires_at BIGINT
);
INSERT INTO gc_lease (id) VALUES (1);
