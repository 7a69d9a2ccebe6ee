package io.stowage.storage.oci;

/**
 * The {@code <reference>} of a manifest route: either a tag or a digest, never both. Immutable.
 */
public record Reference(String tag, Digest digest) {

    public Reference {
        if ((tag == null) == (digest == null)) {
            throw new IllegalArgumentException("a reference is a tag or a digest");
        }
    }

    /** Parses untrusted text: a digest if it has a colon, a tag otherwise. */
    public static Reference parse(String text) {
        if (Digest.looksLikeDigest(text)) {
            return new Reference(null, Digest.parse(text));
        }
        return new Reference(Tag.validate(text), null);
    }

    public static Reference ofTag(String tag) {
        return new Reference(Tag.validate(tag), null);
    }

    public static Reference ofDigest(Digest digest) {
        return new Reference(null, digest);
    }

    public boolean isDigest() {
        return digest != null;
    }

    @Override
    public String toString() {
        return isDigest() ? digest.toString() : tag;
    }
}
