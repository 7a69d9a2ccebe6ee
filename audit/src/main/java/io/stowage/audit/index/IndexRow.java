package io.stowage.audit.index;

/** The columns the index keeps of one record: the values queries filter on, and where its line is. */
record IndexRow(long seq, long timeMicros, String actor, String action, String repository, Integer status,
                String kind, RecordLocation location) {
}
