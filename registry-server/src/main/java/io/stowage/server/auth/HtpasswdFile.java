package io.stowage.server.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One parsed version of an htpasswd file: user names and their bcrypt hashes. Immutable.
 *
 * <pre>
 * # comments and blank lines are ignored
 * alice:$2y$12$Jx0u1n...            one user per line: name ':' bcrypt hash ($2y$, $2a$ or $2b$),
 * ci-bot:$2y$12$Q3m0vf...            as written by {@code htpasswd -B} or {@code registry passwd}
 * </pre>
 *
 * <p>A file with any bad line is refused as a whole, with every problem listed by line number:
 * a line without {@code ':'}, a user name with whitespace or control characters, a user given twice,
 * or a hash that is not bcrypt (MD5 {@code $apr1$}, {@code {SHA}}, crypt). Refusing the whole file
 * rather than skipping lines keeps its meaning exact: no user silently loses or keeps access
 * because of a line next to theirs. Messages never contain a hash.
 */
public final class HtpasswdFile {
    /** More problems than this are counted, not listed: the first ones show what to fix. */
    private static final int MAX_LISTED_PROBLEMS = 20;
    /** The cost used for the unknown-user check when the file is empty (no user to resemble). */
    static final int DEFAULT_COST = 10;

    private final Map<String, String> hashes;

    private HtpasswdFile(Map<String, String> hashes) {
        this.hashes = Collections.unmodifiableMap(hashes);
    }

    /**
     * Parses the bytes of an htpasswd file.
     *
     * @param source what to call the file in messages, usually its path
     * @throws AuthFileException naming every bad line, when there is one
     */
    public static HtpasswdFile parse(String source, byte[] content) throws AuthFileException {
        String text = decode(source, content);
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new HashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                problems.add("line " + number + ": expected user:hash, found no ':'");
                continue;
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            Optional<String> badName = UserNames.problem(user);
            if (badName.isPresent()) {
                problems.add("line " + number + ": " + badName.get());
                continue;
            }
            Optional<String> otherScheme = Bcrypt.describeOtherScheme(hash);
            if (otherScheme.isPresent()) {
                problems.add("line " + number + ": user " + user + " has " + otherScheme.get()
                        + "; only bcrypt is accepted (set a new password with: registry passwd --file "
                        + source + " " + user + ")");
                continue;
            }
            Integer earlier = firstLine.putIfAbsent(user, number);
            if (earlier != null) {
                problems.add("line " + number + ": user " + user + " appears again (first on line " + earlier + ")");
                continue;
            }
            hashes.put(user, hash);
        }
        if (!problems.isEmpty()) {
            throw new AuthFileException(describe(source, problems));
        }
        return new HtpasswdFile(hashes);
    }

    /** The bcrypt hash of {@code user}, if the file has that user. */
    public Optional<String> hashOf(String user) {
        return Optional.ofNullable(hashes.get(user));
    }

    /** The user names, in file order. */
    public Set<String> users() {
        return hashes.keySet();
    }

    /**
     * The bcrypt cost most users of this file have. A check for an unknown user runs at this cost,
     * so that its duration does not tell that the user does not exist.
     */
    public int typicalCost() {
        Map<Integer, Integer> counts = new HashMap<>();
        int best = DEFAULT_COST;
        int bestCount = 0;
        for (String hash : hashes.values()) {
            int cost = Bcrypt.cost(hash);
            int count = counts.merge(cost, 1, Integer::sum);
            if (count > bestCount || (count == bestCount && cost > best)) {
                best = cost;
                bestCount = count;
            }
        }
        return best;
    }

    private static String decode(String source, byte[] content) throws AuthFileException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AuthFileException(source + ": not a text file in UTF-8");
        }
    }

    private static String describe(String source, List<String> problems) {
        StringBuilder message = new StringBuilder(source).append(": ");
        message.append(problems.size() == 1 ? "1 bad line" : problems.size() + " bad lines");
        for (int i = 0; i < Math.min(problems.size(), MAX_LISTED_PROBLEMS); i++) {
            message.append("\n  ").append(problems.get(i));
        }
        if (problems.size() > MAX_LISTED_PROBLEMS) {
            message.append("\n  ... and ").append(problems.size() - MAX_LISTED_PROBLEMS).append(" more");
        }
        return message.toString();
    }
}
