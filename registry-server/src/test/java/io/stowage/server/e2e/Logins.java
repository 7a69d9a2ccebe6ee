package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;

/**
 * What the tests of {@code login} with real clients look at: the credentials a client stored
 * (Podman's {@code auth.json} and Docker's {@code config.json} share the format
 * {@code {"auths": {"host:port": {"auth": base64("user:password")}}}}), and whether a client's error
 * output says it was refused. Stateless and thread-safe.
 */
final class Logins {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Logins() {
    }

    /** The user whose credentials {@code file} holds for {@code hostPort}; null when none (or no file). */
    static String user(Path file, String hostPort) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode auth = JSON.readTree(file.toFile()).path("auths").path(hostPort).path("auth");
            if (!auth.isTextual() || auth.asText().isEmpty()) {
                return null;
            }
            String pair = new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8);
            return pair.substring(0, pair.indexOf(':'));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable credentials file " + file, e);
        }
    }

    /**
     * Whether a client's error output says the registry refused it: 401, 403 or their wording, or
     * Docker's "no basic auth credentials" for a {@code Basic} challenge it had nothing to answer with.
     */
    static boolean mentionsRefusal(String stderr) {
        String text = stderr.toLowerCase(Locale.ROOT);
        return text.contains("unauthorized") || text.contains("denied") || text.contains("401") || text.contains("403")
                || text.contains("no basic auth credentials");
    }
}
