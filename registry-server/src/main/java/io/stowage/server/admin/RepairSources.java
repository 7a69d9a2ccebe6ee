package io.stowage.server.admin;

import io.stowage.recovery.reimport.OciLayoutSource;
import io.stowage.recovery.reimport.RegistrySource;
import io.stowage.recovery.reimport.SourceException;
import io.stowage.recovery.scrub.RepairSource;
import io.stowage.server.config.ConfigException;
import io.stowage.server.config.RegistryConfig;
import io.stowage.storage.error.RegistryException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A scrub's {@link RepairSource} from {@code scrub.repairFrom} or from a request's {@code repairFrom},
 * with the same rules as an import's {@code from} ({@link SourceLocation}): an absolute OCI layout path
 * or an {@code http(s)://host[:port][/repository]} URL without credentials. The source is opened at the
 * start of each run, so a backup directory that is replaced between runs is read afresh, and a
 * password file is read then too (rotation needs no restart). Stateless.
 */
public final class RepairSources {
    private RepairSources() {
    }

    /** The configured source, or null when {@code scrub.repairFrom} is empty; a bad value stops the start. */
    public static RepairSource fromConfig(RegistryConfig.Scrub scrub) {
        if (scrub.repairFrom == null || scrub.repairFrom.isBlank()) {
            return null;
        }
        try {
            String user = scrub.repairUser == null || scrub.repairUser.isBlank() ? null : scrub.repairUser;
            Path passwordFile = scrub.repairPasswordFile == null || scrub.repairPasswordFile.isBlank() ? null
                    : Path.of(scrub.repairPasswordFile);
            return of(SourceLocation.parse(scrub.repairFrom), user, passwordFile, null);
        } catch (RegistryException e) {
            throw new ConfigException("scrub.repairFrom: " + e.getMessage(), e);
        }
    }

    /** From a request: 400 for a value that is not a location, or a path that is not a layout now. */
    static RepairSource fromRequest(String repairFrom, String user, String password) {
        SourceLocation location = SourceLocation.parse(repairFrom);
        if (location.isLayout()) {
            location.openLayout(); // 400 at once for a path that is not a layout
        }
        return of(location, user, null, password == null ? null : password.toCharArray());
    }

    private static RepairSource of(SourceLocation location, String user, Path passwordFile, char[] password) {
        if (location.isLayout()) {
            Path dir = location.layoutPath();
            return new RepairSource("layout " + dir, () -> OciLayoutSource.open(dir), null);
        }
        String description = "registry " + location.registryBase()
                + (location.registryRepository() == null ? "" : "/" + location.registryRepository());
        return new RepairSource(description, () -> new RegistrySource(location.registryBase(), user,
                passwordFile != null ? readPassword(passwordFile) : password, SourceLocation.REGISTRY_TIMEOUT),
                location.registryRepository());
    }

    private static char[] readPassword(Path file) throws SourceException {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            int end = content.indexOf('\n');
            return (end < 0 ? content : content.substring(0, end)).replace("\r", "").toCharArray();
        } catch (IOException e) {
            throw SourceException.failed("cannot read scrub.repairPasswordFile " + file + ": " + e.getMessage());
        }
    }
}
