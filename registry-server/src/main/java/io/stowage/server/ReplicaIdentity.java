package io.stowage.server;

import io.stowage.audit.ReplicaId;
import io.stowage.server.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Which replica this process is: {@code replica.id} when configured; otherwise the id remembered
 * in {@code <dataDir>/replica-id}, made on a first start from the host name. Remembering it keeps
 * one chain per data directory when a container is recreated under a new host name (Docker gives
 * each container its own), where the host name alone would start a new chain every time; a
 * StatefulSet pod keeps its name anyway. Stateless.
 */
final class ReplicaIdentity {
    private static final Logger log = LoggerFactory.getLogger(ReplicaIdentity.class);
    static final String FILE = "replica-id";

    private ReplicaIdentity() {
    }

    static String resolve(String configured, Path dataDir) throws IOException {
        if (configured != null && !configured.isEmpty()) {
            return ReplicaId.check(configured);
        }
        Path remembered = dataDir.resolve(FILE);
        if (Files.exists(remembered)) {
            String id = Files.readString(remembered, StandardCharsets.UTF_8).strip();
            if (!ReplicaId.isValid(id)) {
                throw new ConfigException(remembered + " holds '" + id + "', which is not a replica id; set replica.id"
                        + " or delete the file", null);
            }
            return id;
        }
        String id = ReplicaId.fromHostName(hostName());
        Files.write(remembered, id.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        log.info("replica id derived from the host name replicaId={} rememberedIn={}", id, remembered);
        return id;
    }

    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "";
        }
    }
}
