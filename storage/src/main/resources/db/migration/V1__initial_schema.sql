-- The metadata of the registry: repositories, blob links, manifests, tags and upload sessions.
-- Times are epoch milliseconds (UTC). Digests are text ("sha256:..."), compared byte-wise, so
-- listings sort the same on SQLite and PostgreSQL. Later issues add tables in new migrations.

CREATE TABLE repositories (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL
);

-- One row per blob the registry knows, whatever repositories link it. held_at is the garbage
-- collector's hold: refreshed by uploads, mounts and HEAD, so a blob a client relies on is
-- not swept within the grace period.
CREATE TABLE blobs (
    digest      TEXT    PRIMARY KEY,
    size        BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    held_at     BIGINT  NOT NULL
);

-- Which repository may see which blob.
CREATE TABLE repository_blobs (
    repository_id INTEGER NOT NULL REFERENCES repositories (id),
    digest        TEXT    NOT NULL REFERENCES blobs (digest),
    linked_at     BIGINT  NOT NULL,
    PRIMARY KEY (repository_id, digest)
);
CREATE INDEX repository_blobs_by_digest ON repository_blobs (digest);

-- Manifests with their exact bytes and what was read from them at push time.
CREATE TABLE manifests (
    repository_id    INTEGER NOT NULL REFERENCES repositories (id),
    digest           TEXT    NOT NULL,
    media_type       TEXT    NOT NULL,
    artifact_type    TEXT,
    subject_digest   TEXT,
    annotations_json TEXT,
    content          BLOB    NOT NULL,
    size             BIGINT  NOT NULL,
    pushed_at        BIGINT  NOT NULL,
    PRIMARY KEY (repository_id, digest)
);
CREATE INDEX manifests_by_subject ON manifests (repository_id, subject_digest);

-- What a manifest points at: 'blob' (config, layers) or 'manifest' (index children).
CREATE TABLE manifest_references (
    repository_id     INTEGER NOT NULL,
    manifest_digest   TEXT    NOT NULL,
    referenced_digest TEXT    NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('blob', 'manifest')),
    PRIMARY KEY (repository_id, manifest_digest, kind, referenced_digest),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_references_by_target ON manifest_references (referenced_digest);

CREATE TABLE tags (
    repository_id   INTEGER NOT NULL REFERENCES repositories (id),
    name            TEXT    NOT NULL,
    manifest_digest TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (repository_id, name),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest)
);
CREATE INDEX tags_by_manifest ON tags (repository_id, manifest_digest);

CREATE TABLE upload_sessions (
    upload_id     TEXT    PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories (id),
    size          BIGINT  NOT NULL,
    started_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX upload_sessions_by_activity ON upload_sessions (updated_at);
