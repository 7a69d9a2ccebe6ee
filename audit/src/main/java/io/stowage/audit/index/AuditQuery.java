package io.stowage.audit.index;

import java.time.Instant;

/**
 * What to look for in the audit log. Every filter is optional (null matches everything); the
 * filters that are set must all match. Results come in sequence order, starting after
 * {@code afterSeq}, at most {@code limit} at a time; a caller pages by passing the previous
 * page's {@link AuditPage#next()} as {@code afterSeq}.
 *
 * <p>Values are checked here, once, so that a bad request parameter becomes an
 * {@link IllegalArgumentException} whose message can be shown to the caller as it is.
 *
 * @param repository exact repository name
 * @param actor      exact actor (user or {@code registry})
 * @param action     exact action, e.g. {@code manifest.put}
 * @param since      records at or after this instant
 * @param until      records before this instant
 * @param status     exact HTTP status of request records
 * @param afterSeq   records with a greater sequence number
 * @param limit      how many records a page holds, 1 to {@value #MAX_LIMIT}
 * @param replica    only the chain of this replica; chosen by {@link ReplicaIndexes}, while the index of
 *                   one chain ({@link AuditIndex}) holds one replica's records anyway and ignores it
 */
public record AuditQuery(String repository, String actor, String action, Instant since, Instant until,
                         Integer status, Long afterSeq, int limit, String replica) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final int MAX_TEXT = 1024;

    public AuditQuery {
        checkText("repository", repository);
        checkText("actor", actor);
        checkText("action", action);
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("since (" + since + ") must be before until (" + until + ")");
        }
        if (status != null && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status must be an HTTP status between 100 and 599, not " + status);
        }
        if (afterSeq != null && afterSeq < 0) {
            throw new IllegalArgumentException("afterSeq must not be negative, not " + afterSeq);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", not " + limit);
        }
        if (replica != null) {
            io.stowage.audit.ReplicaId.check(replica);
        }
    }

    /** Everything, from the start, {@value #DEFAULT_LIMIT} records a page. */
    public static AuditQuery all() {
        return new AuditQuery(null, null, null, null, null, null, null, DEFAULT_LIMIT, null);
    }

    public AuditQuery withRepository(String value) {
        return new AuditQuery(value, actor, action, since, until, status, afterSeq, limit, replica);
    }

    public AuditQuery withActor(String value) {
        return new AuditQuery(repository, value, action, since, until, status, afterSeq, limit, replica);
    }

    public AuditQuery withAction(String value) {
        return new AuditQuery(repository, actor, value, since, until, status, afterSeq, limit, replica);
    }

    /** Both ends of the time range at once, so that moving a range never passes through an invalid one. */
    public AuditQuery withTimeRange(Instant from, Instant to) {
        return new AuditQuery(repository, actor, action, from, to, status, afterSeq, limit, replica);
    }

    public AuditQuery withSince(Instant value) {
        return new AuditQuery(repository, actor, action, value, until, status, afterSeq, limit, replica);
    }

    public AuditQuery withUntil(Instant value) {
        return new AuditQuery(repository, actor, action, since, value, status, afterSeq, limit, replica);
    }

    public AuditQuery withStatus(Integer value) {
        return new AuditQuery(repository, actor, action, since, until, value, afterSeq, limit, replica);
    }

    public AuditQuery withAfterSeq(Long value) {
        return new AuditQuery(repository, actor, action, since, until, status, value, limit, replica);
    }

    public AuditQuery withLimit(int value) {
        return new AuditQuery(repository, actor, action, since, until, status, afterSeq, value, replica);
    }

    public AuditQuery withReplica(String value) {
        return new AuditQuery(repository, actor, action, since, until, status, afterSeq, limit, value);
    }

    private static void checkText(String name, String value) {
        if (value == null) {
            return;
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank; leave it out to match any " + name);
        }
        if (value.length() > MAX_TEXT) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_TEXT + " characters");
        }
    }
}
