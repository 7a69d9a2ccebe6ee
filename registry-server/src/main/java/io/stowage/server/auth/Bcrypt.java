package io.stowage.server.auth;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bcrypt password hashes as {@code htpasswd -B} writes them ({@code $2y$}, also {@code $2a$} and
 * {@code $2b$}), over Bouncy Castle. Also names the other hash schemes an htpasswd file may hold,
 * so that a file with them is refused with a message that says which. Stateless.
 */
public final class Bcrypt {
    /** Bcrypt reads at most this many bytes of a password; the rest is ignored. */
    public static final int MAX_PASSWORD_BYTES = 72;
    public static final int MIN_COST = 4;
    public static final int MAX_COST = 31;

    private static final Pattern FORMAT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Bcrypt() {
    }

    /** Whether {@code hash} is a well-formed bcrypt hash with a cost bcrypt accepts. */
    public static boolean isBcrypt(String hash) {
        Matcher matcher = FORMAT.matcher(hash);
        if (!matcher.matches()) {
            return false;
        }
        int cost = Integer.parseInt(matcher.group(1));
        return cost >= MIN_COST && cost <= MAX_COST;
    }

    /** The cost (log2 of the rounds) of a hash for which {@link #isBcrypt} holds. */
    public static int cost(String hash) {
        if (!isBcrypt(hash)) {
            throw new IllegalArgumentException("not a bcrypt hash");
        }
        return Integer.parseInt(hash.substring(4, 6));
    }

    /** A new {@code $2y$} hash of {@code password} with a random salt, as {@code htpasswd -B -C cost} makes. */
    public static String hash(char[] password, int cost) {
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new IllegalArgumentException("bcrypt cost must be between " + MIN_COST + " and " + MAX_COST);
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password, salt, cost);
    }

    /**
     * Whether {@code password} matches {@code hash}; false, never an exception, for a hash that is
     * not bcrypt. Takes as long as the hash's cost says whatever the password.
     */
    public static boolean matches(String hash, char[] password) {
        try {
            return OpenBSDBCrypt.checkPassword(hash, password);
        } catch (RuntimeException malformedHash) {
            return false;
        }
    }

    /** The length bcrypt sees: the UTF-8 bytes of the password. */
    public static int passwordBytes(char[] password) {
        return StandardCharsets.UTF_8.encode(CharBuffer.wrap(password)).remaining();
    }

    /**
     * For a hash that is not bcrypt, what it is (e.g. "an MD5 ($apr1$) hash"), to tell the operator
     * which users must be given a new password. Empty for a bcrypt hash.
     */
    public static Optional<String> describeOtherScheme(String hash) {
        if (isBcrypt(hash)) {
            return Optional.empty();
        }
        if (hash.startsWith("$apr1$")) {
            return Optional.of("an MD5 ($apr1$) hash");
        }
        if (hash.startsWith("{SHA}")) {
            return Optional.of("a SHA-1 ({SHA}) hash");
        }
        if (hash.startsWith("$1$")) {
            return Optional.of("an MD5-crypt ($1$) hash");
        }
        if (hash.startsWith("$5$")) {
            return Optional.of("a SHA-256-crypt ($5$) hash");
        }
        if (hash.startsWith("$6$")) {
            return Optional.of("a SHA-512-crypt ($6$) hash");
        }
        if (hash.startsWith("$2")) {
            return Optional.of("a malformed bcrypt hash");
        }
        if (hash.matches("[./A-Za-z0-9]{13}")) {
            return Optional.of("a DES crypt hash");
        }
        if (hash.isEmpty()) {
            return Optional.of("an empty hash");
        }
        return Optional.of("not a bcrypt hash (plain text or an unknown scheme)");
    }
}
