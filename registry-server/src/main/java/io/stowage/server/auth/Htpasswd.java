package io.stowage.server.auth;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * Checks user names and passwords against an htpasswd file of bcrypt hashes, re-read when the file
 * changes (see {@link ReloadingFile}). Format: {@link HtpasswdFile}.
 *
 * <p>A name the file does not have costs the same as a wrong password: one bcrypt check, against a
 * dummy hash made at the cost most of the file's users have, so the time an answer takes does not
 * tell which user names exist. Each check costs what its hash's cost says (about 250 ms at cost 12
 * on one core), so a caller that sees the same credentials on every request should remember a
 * success for a while rather than call this each time.
 *
 * <p>Thread-safe.
 */
public final class Htpasswd {
    /** One loaded version of the file with the dummy hash that matches it. */
    private record Credentials(HtpasswdFile file, String dummyHash) {
    }

    private final ReloadingFile<Credentials> file;
    /** {@link Bcrypt#matches} in production; a test wraps it to count the checks. */
    private final BiPredicate<String, char[]> bcryptCheck;

    private Htpasswd(ReloadingFile<Credentials> file, BiPredicate<String, char[]> bcryptCheck) {
        this.file = file;
        this.bcryptCheck = bcryptCheck;
    }

    /**
     * Loads {@code path} and re-reads it when it changes, looking at most every {@code checkEvery}.
     *
     * @throws AuthFileException when the file cannot be read or has a bad line
     */
    public static Htpasswd load(Path path, Duration checkEvery, Clock clock) throws AuthFileException {
        return load(path, checkEvery, clock, Bcrypt::matches);
    }

    static Htpasswd load(Path path, Duration checkEvery, Clock clock, BiPredicate<String, char[]> bcryptCheck)
            throws AuthFileException {
        return new Htpasswd(ReloadingFile.load(path, Htpasswd::parse, checkEvery, clock), bcryptCheck);
    }

    /**
     * Whether {@code user} is in the file and {@code password} matches its hash. Runs exactly one
     * bcrypt check whatever the answer.
     */
    public boolean verify(String user, char[] password) {
        Credentials credentials = file.current();
        char[] given = password == null ? new char[0] : password;
        Optional<String> hash = user == null ? Optional.empty() : credentials.file().hashOf(user);
        boolean matches = bcryptCheck.test(hash.orElse(credentials.dummyHash()), given);
        return hash.isPresent() && matches;
    }

    /** Why the newest version of the file is not in force, if it is not (for health checks and logs). */
    public Optional<String> rejectedChange() {
        return file.rejectedChange();
    }

    /** The version in force, for tests and diagnostics. */
    HtpasswdFile loaded() {
        return file.current().file();
    }

    String dummyHash() {
        return file.current().dummyHash();
    }

    private static Credentials parse(Path path, byte[] content) throws AuthFileException {
        HtpasswdFile parsed = HtpasswdFile.parse(path.toString(), content);
        // Random, never stored or shown: no password can be known to match it.
        char[] unguessable = new char[24];
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < unguessable.length; i++) {
            unguessable[i] = (char) ('!' + random.nextInt(94));
        }
        return new Credentials(parsed, Bcrypt.hash(unguessable, parsed.typicalCost()));
    }
}
