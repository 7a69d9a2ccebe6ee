package io.stowage.server.access;

import io.stowage.server.auth.Bcrypt;
import io.stowage.server.config.RegistryConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The users and policy the access tests share, written as real htpasswd and policy files into a
 * registry's data directory, and the configuration that turns them on.
 *
 * <pre>
 * admin     the admin role            pusher   pull, push on team/*
 * auditor   the auditor role          puller   pull on team/*
 * deleter   delete on team/*          nobody   a user with no grant
 * seeder    pull, push, delete on **  (anonymous: pull on public/**)
 * </pre>
 * Every password is the user name followed by {@code -pw}. Hashes have bcrypt cost 4, so the
 * tests spend milliseconds, not seconds, on password checks.
 */
public final class AuthFixture {
    public static final List<String> USERS = List.of("admin", "auditor", "pusher", "puller", "deleter", "nobody", "seeder");
    public static final String ANONYMOUS = "anonymous";
    public static final String SERVICE = "stowage-registry";

    static final String POLICY = """
            groups:
              ops: [admin]
            grants:
              - groups: [ops]
                actions: [admin]
              - users: [auditor]
                actions: [auditor]
              - users: [pusher]
                repositories: ["team/*"]
                actions: [pull, push]
              - users: [puller]
                repositories: ["team/*"]
                actions: [pull]
              - users: [deleter]
                repositories: ["team/*"]
                actions: [delete]
              - users: [seeder]
                repositories: ["**"]
                actions: [pull, push, delete]
            anonymous:
              pull: ["public/**"]
            """;

    private AuthFixture() {
    }

    public static String password(String user) {
        return user + "-pw";
    }

    /** A customizer for {@code TestRegistry}: writes the files and sets {@code auth.mode}. */
    public static Consumer<RegistryConfig> mode(String mode) {
        return config -> {
            Path dir = Path.of(config.storage.dataDir);
            config.auth.mode = mode;
            config.auth.htpasswdFile = writeHtpasswd(dir).toString();
            config.auth.policyFile = write(dir.resolve("policy.yml"), POLICY).toString();
        };
    }

    static Path writeHtpasswd(Path dir) {
        StringBuilder lines = new StringBuilder("# test users\n");
        for (String user : USERS) {
            lines.append(user).append(':').append(Bcrypt.hash(password(user).toCharArray(), 4)).append('\n');
        }
        return write(dir.resolve("users.htpasswd"), lines.toString());
    }

    static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
