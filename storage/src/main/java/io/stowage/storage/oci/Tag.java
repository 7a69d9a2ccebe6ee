package io.stowage.storage.oci;

import io.stowage.storage.error.RegistryException;

import java.util.regex.Pattern;

/** Validation of tag names with the distribution spec's grammar (at most 128 characters). Stateless. */
public final class Tag {
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    private Tag() {
    }

    public static boolean isValid(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }

    /** Returns {@code tag} if valid; otherwise the reference is bad input: 400 {@code MANIFEST_INVALID}. */
    public static String validate(String tag) {
        if (!isValid(tag)) {
            throw RegistryException.manifestInvalid("invalid tag: must match " + TAG.pattern());
        }
        return tag;
    }
}
