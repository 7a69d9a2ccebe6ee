package io.stowage.audit.index;

/**
 * Where the line of one record is: its segment number, the byte offset the line starts at and
 * its length without the newline. Enough to read the record back with one positioned read.
 */
record RecordLocation(long seq, long segment, long offset, int length) {
}
