package io.stowage.storage.meta;

/**
 * A database whose writes run inside the {@link ManifestCache}'s fence, so no cached manifest
 * or tag outlives a change to it. Only {@link #writeBlobRows} skips the fence: it is for the
 * frequent writes of a push (upload sessions, blob links) that cannot change a manifest lookup.
 */
final class CacheFencedDatabase implements JdbcDatabase {
    private final JdbcDatabase database;
    private final ManifestCache cache;

    CacheFencedDatabase(JdbcDatabase database, ManifestCache cache) {
        this.database = database;
        this.cache = cache;
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        return cache.fenced(() -> database.write(work));
    }

    @Override
    public <T> T writeBlobRows(SqlWork<T> work) {
        return database.write(work);
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        return database.read(work);
    }

    @Override
    public <T> T readSnapshot(SqlWork<T> work) {
        return database.readSnapshot(work);
    }

    @Override
    public void close() {
        database.close();
    }
}
