package io.stowage.server.audit;

import io.stowage.audit.AuditRecord;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Removing abandoned uploads deletes data, so it is recorded like any other deletion. */
class UploadPurgeAuditTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(config -> {
        config.uploads.purgeAfter = Duration.ZERO;
        config.uploads.purgeInterval = Duration.ofMillis(200);
    });

    @Test
    void anAbandonedUploadsRemovalIsRecorded() throws Exception {
        OciApi api = new OciApi(registry);
        assertEquals(202, api.send("POST", "/v2/purge/app/blobs/uploads/", null).statusCode());
        AuditTrail trail = new AuditTrail(registry.dataDir());
        List<AuditRecord> purges = List.of();
        for (int i = 0; i < 100 && purges.isEmpty(); i++) {
            Thread.sleep(50);
            purges = trail.records(r -> "uploads.purge".equals(r.entry().action()));
        }
        assertFalse(purges.isEmpty(), "no uploads.purge record");
        assertEquals(1L, purges.get(0).entry().detail().get("sessions"));
        assertEquals("scheduler", purges.get(0).entry().actor());
    }
}
