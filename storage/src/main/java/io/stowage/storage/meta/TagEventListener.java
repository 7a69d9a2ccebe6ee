package io.stowage.storage.meta;

import java.util.List;

/**
 * Told of tag journal events once the transaction that wrote them has committed, so whoever keeps
 * a second record of tag changes (the audit log) never hears of a change that was rolled back.
 * Storage stays unaware of who listens; the registry wires the listener in.
 *
 * <p>Called on the thread that made the change, after the database's write lock is released, once
 * per committed transaction that journaled at least one event. Events of concurrent transactions
 * may arrive in either order; their {@link TagEvent#id() ids} give the commit order. The change is
 * committed whatever the listener does: an exception it throws reaches the caller of the store
 * method, which must then not assume the change failed.
 */
@FunctionalInterface
public interface TagEventListener {

    /** @param events the events of one transaction, in journal order, exactly as stored (ids, times, actor) */
    void onCommitted(List<TagEvent> events);

    /** Listens to nothing: the default, for a registry without an audit log. */
    TagEventListener NONE = events -> {
    };
}
