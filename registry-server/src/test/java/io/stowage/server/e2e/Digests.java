package io.stowage.server.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 digests in the OCI text form ({@code sha256:<64 hex>}), computed the way a client does:
 * over the exact bytes. Stateless and thread-safe.
 */
final class Digests {

    private Digests() {
    }

    static String sha256(byte[] content) {
        return format(newSha256().digest(content));
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in).digest();
        }
    }

    /** Hashes a stream to its end without keeping it: the digest and the number of bytes read. */
    static Hashed sha256(InputStream in) throws IOException {
        MessageDigest sha = newSha256();
        byte[] buffer = new byte[64 * 1024];
        long length = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            sha.update(buffer, 0, n);
            length += n;
        }
        return new Hashed(format(sha.digest()), length);
    }

    /** The hex part of a digest, which names the blob file in an OCI layout. */
    static String hex(String digest) {
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return digest.substring("sha256:".length());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    }

    private static String format(byte[] hash) {
        return "sha256:" + HexFormat.of().formatHex(hash);
    }

    /** The digest of some bytes and how many there were. */
    record Hashed(String digest, long length) {
    }
}
