package io.stowage.server.http;

/**
 * Who a request comes from, as the {@link RequestGuard} established it before any handler ran,
 * and the two things a handler asks beyond its route's own requirement: whether a
 * cross-repository mount may read its source repository, and which repositories the catalog
 * lists. Implementations are immutable and thread-safe.
 */
public interface Caller {

    /** The actor of the audit log and the tag journal: a user name, or {@code anonymous}. */
    String name();

    /** Whether this caller may read {@code repository} (null or invalid names: no). */
    boolean mayPull(String repository);

    /** Whether {@code /v2/_catalog} lists every repository for this caller, not only those it may pull. */
    boolean listsWholeCatalog();

    /** Everybody when authentication is off: the anonymous actor, allowed everything. */
    Caller UNRESTRICTED = new Caller() {
        @Override
        public String name() {
            return RequestContext.ANONYMOUS;
        }

        @Override
        public boolean mayPull(String repository) {
            return true;
        }

        @Override
        public boolean listsWholeCatalog() {
            return true;
        }
    };

    /**
     * A caller allowed nothing. A request is this until its guard ran, so a path that skipped the
     * guard fails closed; a refused login is one of these named after the user it tried to be.
     */
    static Caller nobody(String name) {
        return new Caller() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean mayPull(String repository) {
                return false;
            }

            @Override
            public boolean listsWholeCatalog() {
                return false;
            }
        };
    }
}
