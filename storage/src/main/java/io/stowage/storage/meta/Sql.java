package io.stowage.storage.meta;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/** Statement helpers shared by the JDBC stores: positional parameters bound by their Java type. Stateless. */
final class Sql {
    private Sql() {
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = prepare(c, sql, args)) {
            return s.executeUpdate();
        }
    }

    static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                Object arg = args[i];
                if (arg == null) {
                    // Untyped: PostgreSQL refuses a VARCHAR null for a BIGINT column; SQLite ignores the type.
                    s.setNull(i + 1, Types.NULL);
                } else if (arg instanceof byte[] bytes) {
                    s.setBytes(i + 1, bytes);
                } else {
                    s.setObject(i + 1, arg);
                }
            }
            return s;
        } catch (SQLException e) {
            s.close();
            throw e;
        }
    }
}
