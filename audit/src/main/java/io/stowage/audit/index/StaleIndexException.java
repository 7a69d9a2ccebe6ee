package io.stowage.audit.index;

/**
 * The stored index does not describe the segments on disk (its position is in a segment that is
 * gone, the record it last indexed is not where it was, the sequence does not continue). Never
 * leaves the package: the index answers it by rebuilding from the segments.
 */
final class StaleIndexException extends RuntimeException {

    StaleIndexException(String message) {
        super(message);
    }
}
