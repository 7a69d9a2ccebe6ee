/**
 * The integrity scrub: re-hashes every stored blob at a bounded rate, checks every manifest row and
 * what it references, quarantines corrupt blobs (a move, never a deletion) and repairs what it can
 * by a verified re-import from a backup or another registry. {@link io.stowage.recovery.scrub.Scrubber}
 * is one run; {@link io.stowage.recovery.scrub.ScrubJobs} runs them one at a time in the background.
 */
package io.stowage.recovery.scrub;
