package io.stowage.gc;

/** {@link GarbageCollectorTest} with the metadata in PostgreSQL. */
class PostgresGarbageCollectorTest extends GarbageCollectorTest {
    private final PostgresGcFixtures fixtures = new PostgresGcFixtures();

    @Override
    protected GcFixture fixture(GcSettings settings) throws Exception {
        return fixtures.open(dir, settings);
    }
}
