package io.stowage.server;

import io.stowage.audit.ReplicaId;
import io.stowage.server.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replica id: configured, else made from the host name once and remembered in the data directory. */
class ReplicaIdentityTest {
    @TempDir
    Path dataDir;

    @Test
    void aConfiguredIdWinsAndIsNotRemembered() throws IOException {
        assertEquals("east-1", ReplicaIdentity.resolve("east-1", dataDir));
        assertTrue(Files.notExists(dataDir.resolve(ReplicaIdentity.FILE)));
    }

    @Test
    void aDerivedIdIsRememberedSoANewHostNameKeepsTheChain() throws IOException {
        String first = ReplicaIdentity.resolve("", dataDir);
        assertTrue(ReplicaId.isValid(first), first);
        Files.writeString(dataDir.resolve(ReplicaIdentity.FILE), "was-here-before\n");
        assertEquals("was-here-before", ReplicaIdentity.resolve(null, dataDir));
    }

    @Test
    void aDamagedRememberedIdStopsTheStartWithAMessage() throws IOException {
        Files.writeString(dataDir.resolve(ReplicaIdentity.FILE), "Not A Label");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplicaIdentity.resolve("", dataDir));
        assertTrue(e.getMessage().contains("replica.id"), e.getMessage());
    }
}
