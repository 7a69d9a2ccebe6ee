-- PostgreSQL twin of db/migration/V3__garbage_collection.sql. Flags stay INTEGER 0/1, as the
-- SQL of JdbcGcStore reads and writes them on both databases.

CREATE TABLE gc_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    paused       INTEGER NOT NULL,
    paused_by    TEXT,
    paused_at    BIGINT,
    pause_reason TEXT
);
INSERT INTO gc_state (id, paused) VALUES (1, 0);

CREATE TABLE gc_runs (
    id               TEXT    COLLATE "C" PRIMARY KEY,
    dry_run          INTEGER NOT NULL,
    started_at       BIGINT  NOT NULL,
    finished_at      BIGINT,
    outcome          TEXT,
    marked_manifests BIGINT  NOT NULL,
    marked_blobs     BIGINT  NOT NULL,
    swept_manifests  BIGINT  NOT NULL,
    swept_blobs      BIGINT  NOT NULL,
    swept_bytes      BIGINT  NOT NULL,
    error            TEXT
);
CREATE INDEX gc_runs_by_start ON gc_runs (started_at);

CREATE TABLE gc_deleted (
    run_id     TEXT   COLLATE "C" NOT NULL REFERENCES gc_runs (id),
    seq        BIGINT NOT NULL,
    digest     TEXT   COLLATE "C" NOT NULL,
    kind       TEXT   NOT NULL CHECK (kind IN ('blob', 'manifest')),
    size       BIGINT NOT NULL,
    repository TEXT   COLLATE "C",
    PRIMARY KEY (run_id, seq)
);
