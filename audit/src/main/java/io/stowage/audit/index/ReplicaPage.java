package io.stowage.audit.index;

import io.stowage.audit.AuditRecord;

import java.util.List;

/**
 * One page of a query over several chains.
 *
 * @param records the matching records with the replica whose chain holds each
 * @param next    the cursor of the following page ({@link ReplicaCursor}), or null when this page is the last
 */
public record ReplicaPage(List<Found> records, String next) {

    public ReplicaPage {
        records = List.copyOf(records);
    }

    /**
     * A record and its chain's replica: the record's own {@code replica}, or for a record written
     * before chains had replicas, the replica that continued its chain (null for a log of the
     * single-chain format nobody adopted).
     */
    public record Found(String replica, AuditRecord record) {
    }
}
