package io.stowage.storage.meta;

import io.stowage.storage.error.BackendUnavailableException;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a database that is down or unreachable from a statement it rejected, and wraps failures so
 * the server can answer an outage with 503 instead of 500. Down: no connection from the pool in time
 * (the pool's {@link SQLTransientConnectionException}), a connection refused or broken (SQLState class
 * {@code 08}), the server shutting down or starting ({@code 57P01}-{@code 57P03}), or out of
 * connections ({@code 53300}). A rejected statement, a constraint or a lost serialization race is not.
 */
final class SqlOutages {
    private SqlOutages() {
    }

    static boolean isOutage(SQLException failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && isOutageState(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOutageState(String state) {
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03") || state.equals("53300"));
    }

    /** The store's failure for {@code failure}: carrying a {@link BackendUnavailableException} when the database is down. */
    static MetadataStoreException failure(String what, SQLException failure) {
        if (isOutage(failure)) {
            return new MetadataStoreException(what, new BackendUnavailableException(
                    BackendUnavailableException.METADATA_DATABASE, what + ": " + failure.getMessage(), failure));
        }
        return new MetadataStoreException(what, failure);
    }
}
