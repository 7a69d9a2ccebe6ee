package io.stowage.server.admin;

import io.stowage.recovery.reimport.ContentSource;
import io.stowage.recovery.reimport.OciLayoutSource;
import io.stowage.recovery.reimport.RegistrySource;
import io.stowage.recovery.reimport.SourceException;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.oci.RepositoryName;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code from} of an import or re-import, checked before anything runs: an absolute path of
 * an OCI layout on the server, or an {@code http(s)://host[:port][/repository]} URL of another
 * registry. Anything else is 400 and nothing happens. Credentials go in their own fields, never in
 * the URL, where logs and audit records would show them. Immutable.
 */
final class SourceLocation {
    /** How long a source registry may take to connect, and to start each answer. */
    static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(60);

    private final Path layout;
    private final URI registry;
    private final String registryRepository;

    private SourceLocation(Path layout, URI registry, String registryRepository) {
        this.layout = layout;
        this.registry = registry;
        this.registryRepository = registryRepository;
    }

    static SourceLocation parse(String from) {
        if (from == null || from.isBlank()) {
            throw badRequest("from is required: the absolute path of an OCI layout on the server, or a registry URL");
        }
        if (from.startsWith("http://") || from.startsWith("https://")) {
            return registry(from);
        }
        Path path;
        try {
            path = Path.of(from);
        } catch (InvalidPathException e) {
            throw badRequest("from is not a usable path: " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw badRequest("from must be an absolute path of an OCI layout on the server, or an http(s):// registry"
                    + " URL; got " + from);
        }
        return new SourceLocation(path.normalize(), null, null);
    }

    private static SourceLocation registry(String from) {
        URI uri;
        try {
            uri = new URI(from);
        } catch (URISyntaxException e) {
            throw badRequest("from is not a valid URL: " + e.getMessage());
        }
        if (uri.getHost() == null) {
            throw badRequest("from names no host: " + from);
        }
        if (uri.getRawUserInfo() != null) {
            throw badRequest("from must not carry credentials; use sourceUser and sourcePassword");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw badRequest("from must be http(s)://host[:port][/repository], without a query or fragment");
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
        if (!path.isEmpty() && !RepositoryName.isValid(path)) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "the repository in from is not a valid name: " + path,
                    null, 400);
        }
        URI base = URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
        return new SourceLocation(null, base, path.isEmpty() ? null : path);
    }

    boolean isLayout() {
        return layout != null;
    }

    Path layoutPath() {
        return layout;
    }

    /** The registry's base URL ({@code scheme://host[:port]}), or null for a layout. */
    java.net.URI registryBase() {
        return registry;
    }

    /** The repository the URL names, or null. */
    String registryRepository() {
        return registryRepository;
    }

    /** Opens a layout (400 when the path is not one) or a registry client (nothing contacted yet). */
    ContentSource open(String user, char[] password) {
        if (layout != null) {
            return openLayout();
        }
        return new RegistrySource(registry, user, password, REGISTRY_TIMEOUT);
    }

    OciLayoutSource openLayout() {
        try {
            return OciLayoutSource.open(layout);
        } catch (SourceException e) {
            throw badRequest(e.getMessage());
        }
    }

    static RegistryException badRequest(String message) {
        return new RegistryException(ErrorCode.UNSUPPORTED, message, null, 400);
    }
}
