-- One collection at a time across every replica that shares this database: a replica runs a
-- collection only while it holds this row, renews it before each sweep batch, and gives it back at
-- the end. A holder that died leaves a lease that expires, and another replica may then take it.
CREATE TABLE gc_lease (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    holder     TEXT,
    run_id     TEXT,
    expires_at BIGINT
);
INSERT INTO gc_lease (id) VALUES (1);
