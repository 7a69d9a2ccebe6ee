package io.stowage.server.auth;

import java.util.Optional;

/**
 * The rule for user names, shared by the htpasswd file, the {@code registry passwd} command and the
 * policy file: not empty, and no {@code :} (the htpasswd separator), whitespace or control
 * characters, which would break the file's lines or a log line. Stateless.
 */
public final class UserNames {
    /** Long enough for an e-mail address; a bound keeps a log line and a throttle key small. */
    public static final int MAX_LENGTH = 256;

    private UserNames() {
    }

    /** What is wrong with {@code name}, or empty when it is a valid user name. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("the user name is empty");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("the user name is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (c == ':') {
                return Optional.of("the user name contains ':'");
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return Optional.of("the user name contains whitespace");
            }
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                return Optional.of("the user name contains a control character");
            }
            i += Character.charCount(c);
        }
        return Optional.empty();
    }

    public static boolean isValid(String name) {
        return problem(name).isEmpty();
    }
}
