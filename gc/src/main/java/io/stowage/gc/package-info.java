/**
 * The mark-and-sweep garbage collector: marks what live tags, retained journal entries and
 * retained manifests reach, sweeps the rest in batches with conditional removals, and stops
 * whenever an admin pauses it.
 */
package io.stowage.gc;
