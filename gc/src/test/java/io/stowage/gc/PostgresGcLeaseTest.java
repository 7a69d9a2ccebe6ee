package io.stowage.gc;

/** {@link GcLeaseTest} with the metadata in PostgreSQL. */
class PostgresGcLeaseTest extends GcLeaseTest {
    private final PostgresGcFixtures fixtures = new PostgresGcFixtures();

    @Override
    protected GcFixture fixture(GcSettings settings) throws Exception {
        return fixtures.open(dir, settings);
    }
}
