package io.stowage.server.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Changes the text of an htpasswd file one user at a time, keeping every other line (comments,
 * blank lines, other users, even lines the parser would refuse) as it was, so that
 * {@code registry passwd} can also repair a user whose line has an old MD5 hash. Stateless.
 */
public final class HtpasswdEditor {
    private HtpasswdEditor() {
    }

    /** Whether the text has a line for {@code user}. */
    public static boolean hasUser(String content, String user) {
        for (String line : lines(content)) {
            if (isLineOf(line, user)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The text with {@code user}'s line set to {@code hash}: in place of the user's first line, any
     * further lines of the same user removed, or appended at the end for a new user.
     */
    public static String withUser(String content, String user, String hash) {
        List<String> out = new ArrayList<>();
        boolean written = false;
        for (String line : lines(content)) {
            if (!isLineOf(line, user)) {
                out.add(line);
            } else if (!written) {
                out.add(user + ":" + hash);
                written = true;
            }
        }
        if (!written) {
            out.add(user + ":" + hash);
        }
        return join(out);
    }

    /** The text without {@code user}'s lines, or empty when it had none. */
    public static Optional<String> withoutUser(String content, String user) {
        List<String> out = new ArrayList<>();
        boolean removed = false;
        for (String line : lines(content)) {
            if (isLineOf(line, user)) {
                removed = true;
            } else {
                out.add(line);
            }
        }
        return removed ? Optional.of(join(out)) : Optional.empty();
    }

    private static boolean isLineOf(String line, String user) {
        String stripped = line.strip();
        if (stripped.startsWith("#")) {
            return false;
        }
        int colon = stripped.indexOf(':');
        return colon >= 0 && stripped.substring(0, colon).equals(user);
    }

    /** The lines without their terminators; a final newline does not make an extra empty line. */
    private static List<String> lines(String content) {
        List<String> lines = new ArrayList<>();
        if (content.isEmpty()) {
            return lines;
        }
        String[] split = content.split("\r?\n", -1);
        int count = content.endsWith("\n") ? split.length - 1 : split.length;
        for (int i = 0; i < count; i++) {
            lines.add(split[i]);
        }
        return lines;
    }

    private static String join(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append('\n');
        }
        return text.toString();
    }
}
