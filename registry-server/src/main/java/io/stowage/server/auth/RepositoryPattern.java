package io.stowage.server.auth;

import java.util.regex.Pattern;

/**
 * A pattern of repository names in the access policy, matched segment by segment (segments are
 * the parts between {@code /}). Immutable.
 *
 * <ul>
 *   <li>{@code *} stands for exactly one segment: {@code team-a/*} matches {@code team-a/app} but
 *       neither {@code team-a} nor {@code team-a/app/api};</li>
 *   <li>{@code **} stands for any number of segments: {@code base/**} matches {@code base/alpine}
 *       and {@code base/library/alpine}, and {@code **} alone matches every repository. At the end
 *       it needs at least one segment, so {@code base/**} does not match {@code base} itself (a
 *       different repository); elsewhere it may match none: {@code a/**}{@code /b} matches
 *       {@code a/b};</li>
 *   <li>any other segment is literal and must be a valid name component (lower case): an
 *       upper-case or half-wild segment such as {@code team-*} is refused at load, since it
 *       could never match or would not mean what it seems to.</li>
 * </ul>
 */
public final class RepositoryPattern {
    private static final String ONE = "*";
    private static final String ANY = "**";
    /** One path component of the distribution spec's repository name grammar. */
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    private static final int MAX_LENGTH = 255;

    private final String text;
    private final String[] segments;

    private RepositoryPattern(String text, String[] segments) {
        this.text = text;
        this.segments = segments;
    }

    /**
     * Parses a pattern.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static RepositoryPattern parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a repository pattern is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("repository pattern longer than " + MAX_LENGTH + " characters");
        }
        String[] segments = text.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("repository pattern '" + text + "' has an empty segment"
                        + " (a leading, trailing or double '/')");
            }
            if (segment.equals(ANY) && i > 0 && segments[i - 1].equals(ANY)) {
                throw new IllegalArgumentException("repository pattern '" + text + "' repeats '**/**'; one '**' is enough");
            }
            if (segment.equals(ONE) || segment.equals(ANY)) {
                continue;
            }
            if (segment.contains("*")) {
                throw new IllegalArgumentException("repository pattern '" + text + "': '*' and '**' stand only for whole"
                        + " segments between '/', so '" + segment + "' is not allowed");
            }
            if (!COMPONENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("repository pattern '" + text + "': '" + segment
                        + "' is not a valid repository name part (lower-case letters, digits, and . _ - between them)");
            }
        }
        return new RepositoryPattern(text, segments);
    }

    /** Whether {@code repository} (a valid repository name) is one this pattern stands for. */
    public boolean matches(String repository) {
        String[] names = repository.split("/", -1);
        int p = segments.length;
        int r = names.length;
        // matched[i][j]: segments from i on match names from j on. Bottom-up, so no pattern with
        // several '**' can make the match slow.
        boolean[][] matched = new boolean[p + 1][r + 1];
        matched[p][r] = true;
        for (int i = p - 1; i >= 0; i--) {
            String segment = segments[i];
            for (int j = r; j >= 0; j--) {
                if (segment.equals(ANY)) {
                    matched[i][j] = i == p - 1 ? j < r : matched[i + 1][j] || (j < r && matched[i][j + 1]);
                } else {
                    matched[i][j] = j < r && (segment.equals(ONE) || segment.equals(names[j])) && matched[i + 1][j + 1];
                }
            }
        }
        return matched[0][0];
    }

    /** Whether this is {@code **}, the pattern of every repository. */
    public boolean matchesEverything() {
        return segments.length == 1 && segments[0].equals(ANY);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RepositoryPattern pattern && pattern.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
