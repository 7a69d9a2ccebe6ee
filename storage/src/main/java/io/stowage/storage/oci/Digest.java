package io.stowage.storage.oci;

import io.stowage.storage.error.RegistryException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:6c3c62...}: the address of every blob and manifest.
 *
 * <p>Only the algorithms this registry can verify exist: {@code sha256} and {@code sha512}, with
 * lowercase hex of the right length. {@link #parse} is the only way in from untrusted text, so an
 * invalid digest cannot exist. Immutable.
 */
public record Digest(Algorithm algorithm, String hex) implements Comparable<Digest> {

    /** The grammar of the OCI image spec; checked before the per-algorithm rules. */
    private static final Pattern GRAMMAR = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");

    /** The digest algorithms this registry verifies. */
    public enum Algorithm {
        SHA256("sha256", "SHA-256", 64),
        SHA512("sha512", "SHA-512", 128);

        private final String prefix;
        private final String jcaName;
        private final int hexLength;

        Algorithm(String prefix, String jcaName, int hexLength) {
            this.prefix = prefix;
            this.jcaName = jcaName;
            this.hexLength = hexLength;
        }

        public String prefix() {
            return prefix;
        }

        public int hexLength() {
            return hexLength;
        }

        public MessageDigest newMessageDigest() {
            try {
                return MessageDigest.getInstance(jcaName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("JDK lacks " + jcaName, e);
            }
        }

        static Algorithm byPrefix(String prefix) {
            for (Algorithm a : values()) {
                if (a.prefix.equals(prefix)) {
                    return a;
                }
            }
            return null;
        }
    }

    public Digest {
        if (algorithm == null || hex == null || hex.length() != algorithm.hexLength || !isLowerHex(hex)) {
            throw new IllegalArgumentException("not a valid " + algorithm + " digest: " + hex);
        }
    }

    /** Parses untrusted text; anything else than a supported, well-formed digest is {@code DIGEST_INVALID}. */
    public static Digest parse(String text) {
        if (text == null || text.length() > 200 || !GRAMMAR.matcher(text).matches()) {
            throw RegistryException.digestInvalid("invalid digest: " + abbreviate(text));
        }
        int colon = text.indexOf(':');
        Algorithm algorithm = Algorithm.byPrefix(text.substring(0, colon));
        if (algorithm == null) {
            throw RegistryException.digestInvalid("unsupported digest algorithm: " + text.substring(0, colon));
        }
        String hex = text.substring(colon + 1);
        if (hex.length() != algorithm.hexLength || !isLowerHex(hex)) {
            throw RegistryException.digestInvalid("invalid " + algorithm.prefix + " digest: " + abbreviate(text));
        }
        return new Digest(algorithm, hex);
    }

    /** True when {@code text} looks like a digest (has the digest grammar), used to tell tags from digests. */
    public static boolean looksLikeDigest(String text) {
        return text != null && text.indexOf(':') > 0;
    }

    public static Digest of(Algorithm algorithm, byte[] content) {
        return fromBytes(algorithm, algorithm.newMessageDigest().digest(content));
    }

    public static Digest sha256(byte[] content) {
        return of(Algorithm.SHA256, content);
    }

    /** Wraps the output of a finished {@link MessageDigest}. */
    public static Digest fromBytes(Algorithm algorithm, byte[] digestBytes) {
        return new Digest(algorithm, HexFormat.of().formatHex(digestBytes));
    }

    @Override
    public String toString() {
        return algorithm.prefix + ":" + hex;
    }

    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "(none)";
        }
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
