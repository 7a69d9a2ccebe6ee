package io.stowage.server.oci;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stowage.storage.error.RegistryException;

/**
 * Any {@code Content-Range} of an upload chunk and any {@code Range} of a download: a range that
 * is accepted lies within what it describes; everything else is an OCI error, never another
 * exception.
 */
class RangeFuzzTest {

    @FuzzTest(maxDuration = "45s")
    void rangesAreSaneOrRefused(FuzzedDataProvider data) {
        long size = data.consumeLong(0, Long.MAX_VALUE / 2);
        String header = data.consumeRemainingAsString();
        try {
            ChunkRange chunk = ChunkRange.parse(header);
            if (chunk.start() < 0 || chunk.end() < chunk.start() || chunk.length() <= 0) {
                throw new AssertionError("accepted chunk range " + chunk + " from " + header);
            }
        } catch (RegistryException refused) {
            // 400 or 416.
        }
        try {
            ByteRange range = ByteRange.parse(header, size);
            if (range != null && (range.start() < 0 || range.length() <= 0 || range.start() + range.length() > size)) {
                throw new AssertionError("range " + range + " outside a blob of " + size + " bytes, from " + header);
            }
        } catch (RegistryException refused) {
            // 416.
        }
    }
}
