package io.stowage.audit.index;

/**
 * What the index works with of one record: the values queries filter on, and where its line is.
 * Storing keeps only the line's place (in a {@link Run}) and, per block, the values and times;
 * a query parses the line again to test it.
 */
record IndexRow(long seq, long timeMicros, String actor, String action, String repository, Integer status,
                String kind, RecordLocation location) {
}
