package io.stowage.server.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The parsed content of one file, parsed again when the file changes, so that an operator's edit
 * of the htpasswd or policy file takes effect without a restart.
 *
 * <p>A change is noticed by the file's modification time, size and file key (inode), looked at
 * no more often than every {@code checkEvery}, on the thread that asks for the content: a stat
 * call, so no background thread is needed. A new version that cannot be read or parsed is
 * rejected: the last good content stays in force and the problem is logged once per version
 * (and available from {@link #rejectedChange()}), because an edit that breaks the file must not
 * lock everybody out or open the registry. The first load has no last good content, so there a
 * problem is thrown.
 *
 * <p>Thread-safe: readers never block; one of them at a time does the check, the others keep
 * using the content they have.
 */
public final class ReloadingFile<T> {
    private static final Logger log = LoggerFactory.getLogger(ReloadingFile.class);

    /** Turns the bytes of the file into its content, or says precisely what is wrong. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(Path file, byte[] content) throws AuthFileException;
    }

    /** What identifies a version of the file without reading it. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
    }

    private record Version<T>(T content, Stamp stamp) {
    }

    private final Path file;
    private final Parser<T> parser;
    private final long checkEveryMillis;
    private final Clock clock;
    private final ReentrantLock checking = new ReentrantLock();

    private volatile Version<T> current;
    private volatile long nextCheckMillis;
    /** The stamp of the last version rejected, so it is reported once and not parsed at every check. */
    private Stamp rejectedStamp;
    private volatile String rejectedProblem;

    private ReloadingFile(Path file, Parser<T> parser, Duration checkEvery, Clock clock, Version<T> first) {
        this.file = file;
        this.parser = parser;
        this.checkEveryMillis = checkEvery.toMillis();
        this.clock = clock;
        this.current = first;
        this.nextCheckMillis = clock.millis() + checkEveryMillis;
    }

    /**
     * Reads and parses {@code file} now.
     *
     * @param checkEvery how long a version is used before the file is looked at again; zero looks
     *                   at every call
     * @throws AuthFileException when the file cannot be read or parsed
     */
    public static <T> ReloadingFile<T> load(Path file, Parser<T> parser, Duration checkEvery, Clock clock)
            throws AuthFileException {
        Objects.requireNonNull(parser, "parser");
        if (checkEvery.isNegative()) {
            throw new IllegalArgumentException("checkEvery must not be negative: " + checkEvery);
        }
        Version<T> first = null;
        for (int attempt = 0; first == null && attempt < 3; attempt++) {
            first = read(file, parser);
        }
        if (first == null) {
            throw new AuthFileException(file + " kept changing while it was read; try again");
        }
        return new ReloadingFile<>(file, parser, checkEvery, clock, first);
    }

    /** The content of the newest good version, after a look at the file if one is due. */
    public T current() {
        if (clock.millis() >= nextCheckMillis && checking.tryLock()) {
            try {
                // A thread that waited for the lock may find the check already done.
                if (clock.millis() >= nextCheckMillis) {
                    check();
                    nextCheckMillis = clock.millis() + checkEveryMillis;
                }
            } finally {
                checking.unlock();
            }
        }
        return current.content();
    }

    /**
     * The content of the newest good version if no look at the file is due, else null: for a
     * caller that must not touch the disk (a network thread), which then takes a path where
     * {@link #current()} may look.
     */
    public T currentIfNoLookDue() {
        return clock.millis() < nextCheckMillis ? current.content() : null;
    }

    /** Why the newest version of the file on disk is not in force, if it is not. */
    public Optional<String> rejectedChange() {
        return Optional.ofNullable(rejectedProblem);
    }

    public Path file() {
        return file;
    }

    private void check() {
        Stamp stamp;
        try {
            stamp = stamp(file);
        } catch (IOException e) {
            reject(null, file + " cannot be read (" + describe(e) + "); keeping the version loaded before");
            return;
        }
        if (stamp.equals(current.stamp())) {
            rejectedProblem = null;
            return;
        }
        if (stamp.equals(rejectedStamp)) {
            return;
        }
        try {
            Version<T> next = read(file, parser);
            if (next == null) {
                return; // being written right now: the next check reads the finished file
            }
            current = next;
            rejectedStamp = null;
            rejectedProblem = null;
            log.info("reloaded auth file file={}", file);
        } catch (AuthFileException e) {
            reject(stamp, e.getMessage() + "; keeping the version loaded before");
        }
    }

    private void reject(Stamp stamp, String problem) {
        if (!(Objects.equals(stamp, rejectedStamp) && problem.equals(rejectedProblem))) {
            log.error("failed to reload auth file file={} problem={}", file, problem);
        }
        rejectedStamp = stamp;
        rejectedProblem = problem;
    }

    /** Reads one version, or returns null when the file changed while it was read. */
    private static <T> Version<T> read(Path file, Parser<T> parser) throws AuthFileException {
        Stamp before;
        byte[] content;
        Stamp after;
        try {
            before = stamp(file);
            content = Files.readAllBytes(file);
            after = stamp(file);
        } catch (IOException e) {
            throw new AuthFileException(file + " cannot be read: " + describe(e), e);
        }
        if (!before.equals(after)) {
            return null;
        }
        return new Version<>(parser.parse(file, content), after);
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Stamp stamp(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
    }
}
