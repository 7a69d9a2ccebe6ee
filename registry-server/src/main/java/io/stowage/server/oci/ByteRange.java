package io.stowage.server.oci;

import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;

import java.util.Map;

/**
 * A single byte range of a blob download, from an RFC 9110 {@code Range: bytes=...} header
 * ({@code a-b}, {@code a-}, {@code -suffix}). Several ranges are not supported: the whole blob
 * is sent instead, which the RFC allows. Immutable.
 */
record ByteRange(long start, long length) {

    long end() {
        return start + length - 1;
    }

    String contentRange(long size) {
        return "bytes " + start + "-" + end() + "/" + size;
    }

    /**
     * The range a header asks for within a blob of {@code size} bytes; null when the header is
     * absent, not a bytes range, or a multi-range (serve the whole blob). 416 when unsatisfiable.
     */
    static ByteRange parse(String header, long size) {
        if (header == null) {
            return null;
        }
        String value = header.trim();
        if (!value.startsWith("bytes=") || value.indexOf(',') >= 0) {
            return null;
        }
        String spec = value.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            throw unsatisfiable(size);
        }
        String first = spec.substring(0, dash).trim();
        String last = spec.substring(dash + 1).trim();
        try {
            if (first.isEmpty()) {
                long suffix = Long.parseLong(last);
                if (suffix <= 0 || size == 0) {
                    throw unsatisfiable(size);
                }
                long length = Math.min(suffix, size);
                return new ByteRange(size - length, length);
            }
            long start = Long.parseLong(first);
            long end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
            if (start < 0 || start >= size || end < start) {
                throw unsatisfiable(size);
            }
            return new ByteRange(start, end - start + 1);
        } catch (NumberFormatException e) {
            throw unsatisfiable(size);
        }
    }

    private static RegistryException unsatisfiable(long size) {
        return new RegistryException(ErrorCode.SIZE_INVALID, "requested range not satisfiable",
                Map.of("size", size), 416);
    }
}
