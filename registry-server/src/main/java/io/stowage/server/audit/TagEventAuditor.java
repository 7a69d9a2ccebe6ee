package io.stowage.server.audit;

import io.stowage.audit.AuditEntry;
import io.stowage.audit.AuditSink;
import io.stowage.server.http.RequestAuditor;
import io.stowage.storage.meta.TagEvent;
import io.stowage.storage.meta.TagEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Copies each committed tag journal event into the audit log ({@code tag.pushed},
 * {@code tag.moved}, {@code tag.deleted}, {@code tag.restored}), naming the request that caused
 * it. Appended on the request's worker before the request's own record, so by the time the
 * client's success answer leaves (which waits for the request record) these are durable too.
 */
public final class TagEventAuditor implements TagEventListener {
    private static final Logger log = LoggerFactory.getLogger(TagEventAuditor.class);

    private final AuditSink audit;
    private final Clock clock;

    public TagEventAuditor(AuditSink audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void onCommitted(List<TagEvent> events) {
        String requestId = RequestAuditor.currentRequestId();
        for (TagEvent event : events) {
            Map<String, Object> detail = new TreeMap<>();
            detail.put("journalId", event.id());
            detail.put("at", event.at().toString());
            if (event.previousDigest() != null) {
                detail.put("previousDigest", event.previousDigest().toString());
            }
            AuditEntry entry = new AuditEntry(AuditEntry.EVENT, clock.instant(), requestId, event.actor(), null, null,
                    null, "tag." + event.type().wireName(), event.repository(), event.tag(), event.digest().toString(),
                    null, null, null, null, null, detail);
            audit.append(entry).exceptionally(failure -> {
                log.error("tag journal event {} not written to the audit log", event.id(), failure);
                return null;
            });
        }
    }
}
