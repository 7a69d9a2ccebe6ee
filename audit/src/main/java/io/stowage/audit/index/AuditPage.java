package io.stowage.audit.index;

import io.stowage.audit.AuditRecord;

import java.util.List;

/**
 * One page of query results.
 *
 * @param records the matching records, in sequence order
 * @param next    the {@code afterSeq} that fetches the following page, or null when this page is the last;
 *                a cursor rather than a page number, so records appended meanwhile never shift a page
 */
public record AuditPage(List<AuditRecord> records, Long next) {

    public AuditPage {
        records = List.copyOf(records);
    }
}
