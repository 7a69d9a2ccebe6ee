package io.stowage.storage.oci;

import io.stowage.storage.error.RegistryException;

import java.util.regex.Pattern;

/**
 * Validation of repository names ({@code team/app/api}) with the distribution spec's grammar.
 * Stateless.
 */
public final class RepositoryName {
    /** The spec's {@code <name>} expression: path components joined by '/'. */
    private static final Pattern NAME = Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

    /** Clients put "host:port/" in front of the name; 255 bytes in all is what they accept. */
    public static final int MAX_LENGTH = 255;

    private RepositoryName() {
    }

    /** Returns {@code name} if it is a valid repository name, else throws {@code NAME_INVALID}. */
    public static String validate(String name) {
        if (name == null || name.isEmpty()) {
            throw RegistryException.nameInvalid(name, "empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw RegistryException.nameInvalid(name.substring(0, 64) + "...", "longer than " + MAX_LENGTH);
        }
        if (!NAME.matcher(name).matches()) {
            throw RegistryException.nameInvalid(name, "must match " + NAME.pattern());
        }
        return name;
    }

    public static boolean isValid(String name) {
        return name != null && name.length() <= MAX_LENGTH && NAME.matcher(name).matches();
    }
}
