package io.stowage.server.oci;

import io.stowage.storage.error.RegistryException;

/**
 * The {@code Content-Range} of an upload chunk: {@code <start>-<end>} as the distribution spec
 * writes it (also accepting a {@code bytes } or {@code bytes=} prefix and a {@code /total}
 * suffix, which some clients send). Immutable.
 */
record ChunkRange(long start, long end) {

    long length() {
        return end - start + 1;
    }

    static ChunkRange parse(String header) {
        String value = header.trim();
        if (value.startsWith("bytes=")) {
            value = value.substring(6);
        } else if (value.startsWith("bytes ")) {
            value = value.substring(6);
        }
        int slash = value.indexOf('/');
        if (slash >= 0) {
            value = value.substring(0, slash);
        }
        int dash = value.indexOf('-');
        try {
            long start = Long.parseLong(value.substring(0, dash).trim());
            long end = Long.parseLong(value.substring(dash + 1).trim());
            if (start < 0 || end < start) {
                throw RegistryException.rangeNotSatisfiable("invalid Content-Range: " + header, -1);
            }
            return new ChunkRange(start, end);
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw RegistryException.uploadInvalid("malformed Content-Range: " + header);
        }
    }
}
