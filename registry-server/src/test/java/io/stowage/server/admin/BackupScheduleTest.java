package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.audit.AuditRecord;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.audit.AuditTrail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.stowage.server.OciApi.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With backup.to and backup.interval set, the registry backs itself up, as the scheduler, audited. */
class BackupScheduleTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(config -> {
        config.backup.to = Path.of(config.storage.dataDir).resolve("scheduled-backup").toString();
        config.backup.interval = Duration.ofSeconds(1);
    });

    @Test
    void scheduledRunsBackUpWhatIsPushedAndAreAudited() throws Exception {
        OciApi api = new OciApi(registry);
        var digest = api.pushImage("team/app", "v1", 7);
        Path target = registry.dataDir().resolve("scheduled-backup");
        JsonNode found = null;
        for (int i = 0; i < 200 && found == null; i++) {
            Thread.sleep(100);
            for (JsonNode run : json(api.get("/admin/backups")).path("runs")) {
                if ("completed".equals(run.path("outcome").asText()) && Files.exists(target.resolve("blobs/sha256").resolve(digest.hex()))) {
                    found = run;
                }
            }
        }
        assertTrue(found != null, "no scheduled backup copied the image within 20 s");
        assertEquals("scheduler", found.path("actor").asText());
        JsonNode list = json(api.get("/admin/backups"));
        assertEquals(target.toString(), list.path("schedule").path("to").asText());
        assertEquals("PT1S", list.path("schedule").path("interval").asText());

        List<AuditRecord> starts = new AuditTrail(registry.dataDir())
                .records(r -> "backup.run.start".equals(r.entry().action()));
        assertFalse(starts.isEmpty());
        assertEquals("scheduler", starts.get(0).entry().actor());
    }
}
