package io.stowage.gc;

/** {@link ConcurrentPushGcStressTest} with the metadata in PostgreSQL. */
class PostgresConcurrentPushGcStressTest extends ConcurrentPushGcStressTest {
    private final PostgresGcFixtures fixtures = new PostgresGcFixtures();

    @Override
    protected GcFixture fixture(GcSettings settings) throws Exception {
        return fixtures.open(dir, settings);
    }
}
