package io.stowage.storage.meta;

import io.stowage.storage.oci.Digest;

import java.time.Instant;

/**
 * One entry of the tag journal: what happened to a tag, from which digest to which, when and by whom.
 *
 * @param previousDigest the digest the tag pointed at before a move or a restore, else null
 */
public record TagEvent(long id, String repository, String tag, Type type, Digest digest, Digest previousDigest,
                       Instant at, String actor) {

    /** The kinds of tag change. */
    public enum Type {
        PUSHED, MOVED, DELETED, RESTORED;

        /** The name used in the database and the admin API. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Type fromWireName(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
