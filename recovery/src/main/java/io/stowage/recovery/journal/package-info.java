/**
 * Undelete and tag history over the tag journal of the metadata store: the one-curl recovery of a
 * mistaken delete, checked against the content that still exists.
 */
package io.stowage.recovery.journal;
