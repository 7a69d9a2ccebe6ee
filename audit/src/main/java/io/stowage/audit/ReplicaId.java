package io.stowage.audit;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name of a replica, which names its audit chain: a DNS label (1 to 63 of {@code a-z},
 * {@code 0-9} and {@code -}, starting and ending with a letter or digit), so that it is safe as
 * a directory name, an S3 key part and a Kubernetes pod name alike. Stateless.
 */
public final class ReplicaId {
    public static final int MAX_LENGTH = 63;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private ReplicaId() {
    }

    /** Returns {@code id} when it is a valid replica id; otherwise throws, saying what is allowed. */
    public static String check(String id) {
        if (id == null || !LABEL.matcher(id).matches()) {
            throw new IllegalArgumentException("a replica id is 1 to " + MAX_LENGTH + " characters of a-z, 0-9 and '-',"
                    + " starting and ending with a letter or digit (a DNS label, such as a StatefulSet pod name), not '"
                    + id + "'");
        }
        return id;
    }

    public static boolean isValid(String id) {
        return id != null && LABEL.matcher(id).matches();
    }

    /**
     * A valid id made from a host name: lower-cased, the first label only (a domain adds nothing
     * but length), every other character turned into {@code -}, runs of {@code -} collapsed,
     * trimmed to 63. A name with nothing usable left gives {@code replica}.
     */
    public static String fromHostName(String hostName) {
        String name = hostName == null ? "" : hostName.strip().toLowerCase(Locale.ROOT);
        int dot = name.indexOf('.');
        if (dot > 0) {
            name = name.substring(0, dot);
        }
        String sanitised = name.replaceAll("[^a-z0-9]+", "-");
        if (sanitised.length() > MAX_LENGTH) {
            sanitised = sanitised.substring(0, MAX_LENGTH);
        }
        sanitised = sanitised.replaceAll("^-+|-+$", "");
        return sanitised.isEmpty() ? "replica" : sanitised;
    }
}
