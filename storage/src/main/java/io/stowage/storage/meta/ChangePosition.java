package io.stowage.storage.meta;

/**
 * How far the registry's content has come: the last value of the manifest change counter and the
 * id of the last tag journal event. Both only grow, so a backup that remembers the position it
 * copied knows that nothing changed when the registry is still there, and what changed when not.
 *
 * @param changeSeq  the last change of any manifest row (push, soft delete, revive, sweep, removal)
 * @param journalSeq the id of the newest tag journal event, 0 when there is none
 */
public record ChangePosition(long changeSeq, long journalSeq) {

    /** The position before anything: a backup that starts here copies everything. */
    public static final ChangePosition START = new ChangePosition(-1, 0);
}
