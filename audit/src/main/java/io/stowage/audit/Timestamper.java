package io.stowage.audit;

import java.io.IOException;

/** Gets a trusted timestamp (an RFC 3161 token) for a SHA-256 digest; used on checkpoints when configured. */
@FunctionalInterface
public interface Timestamper {
    /** The DER-encoded time-stamp token over {@code sha256}. */
    byte[] timestamp(byte[] sha256) throws IOException;
}
