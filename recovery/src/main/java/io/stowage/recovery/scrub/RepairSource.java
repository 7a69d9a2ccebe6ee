package io.stowage.recovery.scrub;

import io.stowage.recovery.reimport.ContentSource;
import io.stowage.recovery.reimport.OciLayoutSource;
import io.stowage.recovery.reimport.SourceException;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a scrub fetches replacements for what it found corrupt or missing: an OCI layout (a backup)
 * or another registry. Opened once per run and closed after it; whatever it hands out is verified
 * against its digest by the re-import before anything is stored.
 *
 * @param description what it is, for reports and audit records, without credentials
 * @param repository  the repository to ask the source for, or null to ask for the same name as here
 */
public record RepairSource(String description, Opener opener, String repository) {
    public RepairSource {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(opener, "opener");
    }

    /** Opens the source for one run. */
    @FunctionalInterface
    public interface Opener {
        ContentSource open() throws SourceException;
    }

    /** An OCI layout directory, e.g. a backup or {@code skopeo copy ... oci:DIR:tag}. */
    public static RepairSource layout(Path directory) {
        return new RepairSource("layout " + directory, () -> OciLayoutSource.open(directory), null);
    }

    /** The name under which {@code repository} of this registry is asked for at the source. */
    String sourceRepository(String repository) {
        return this.repository != null ? this.repository : repository;
    }
}
