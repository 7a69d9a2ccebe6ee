package io.stowage.server.auth;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Slows down password guessing: counts failed logins per user name and per client address, and
 * after too many in a short window refuses further attempts for a while, longer each time.
 *
 * <p>With the defaults, 5 failures within 1 minute block that key for 1 minute, then 2, 4, 8 and
 * at most 15 minutes for each further round; a key that stays quiet for 15 minutes after its last
 * failure or block starts over.
 * A success clears the user's count, not the address's: otherwise one valid account would let an
 * attacker reset the address count between guesses at others. The per-user count means a
 * guesser can keep a user out for a while; that is the price of stopping guesses spread over
 * many addresses, and the block is short and capped.
 *
 * <p>IPv6 clients count by their /64 network, since one host usually has a whole /64. User names
 * longer than 64 characters count by their SHA-256, so a key stays small.
 *
 * <p>Memory is bounded: keys with no failure for {@code forgetAfter} are dropped as they age, and
 * beyond {@code maxTrackedKeys} the key whose last failure is oldest is dropped. Thread-safe: one
 * lock, held for a few map operations; logins are rare next to the bcrypt check they guard.
 */
public final class LoginThrottle {
    /**
     * @param maxFailures    failures within {@code window} that start a block
     * @param window         how far back failures are counted
     * @param firstBlock     the first block; each further one is twice as long
     * @param maxBlock       the longest block
     * @param forgetAfter    a key quiet this long after its last failure or block starts over; at
     *                       least {@code window} and {@code maxBlock}
     * @param maxTrackedKeys how many users and addresses are tracked at most
     */
    public record Settings(int maxFailures, Duration window, Duration firstBlock, Duration maxBlock,
                           Duration forgetAfter, int maxTrackedKeys) {
        public Settings {
            if (maxFailures < 1) {
                throw new IllegalArgumentException("maxFailures must be at least 1");
            }
            if (window.isNegative() || window.isZero() || firstBlock.isNegative() || firstBlock.isZero()) {
                throw new IllegalArgumentException("window and firstBlock must be positive");
            }
            if (maxBlock.compareTo(firstBlock) < 0) {
                throw new IllegalArgumentException("maxBlock must be at least firstBlock");
            }
            if (forgetAfter.compareTo(window) < 0 || forgetAfter.compareTo(maxBlock) < 0) {
                throw new IllegalArgumentException("forgetAfter must be at least window and maxBlock");
            }
            if (maxTrackedKeys < 2) {
                throw new IllegalArgumentException("maxTrackedKeys must be at least 2");
            }
        }

        /** 5 failures in 1 minute; blocks of 1, 2, 4, 8, 15 minutes; 100,000 keys. */
        public static Settings defaults() {
            return new Settings(5, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(15),
                    Duration.ofMinutes(15), 100_000);
        }
    }

    /** The failures of one key. */
    private static final class Record {
        /** The times of the latest failures, at most maxFailures, oldest overwritten first. */
        final long[] failures;
        int next;
        int rounds;
        long blockedUntil;
        long lastFailure;

        Record(int maxFailures) {
            failures = new long[maxFailures];
            Arrays.fill(failures, Long.MIN_VALUE);
        }
    }

    private static final int MAX_PLAIN_USER_LENGTH = 64;

    private final Settings settings;
    private final Clock clock;
    /** In order of last failure, oldest first: pruning and eviction take from the head. */
    private final LinkedHashMap<String, Record> records = new LinkedHashMap<>();

    public LoginThrottle(Settings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * How long this user at this address must wait before its next attempt: zero when it may try
     * now. Call before checking the password, and refuse (429 with {@code Retry-After}) if not zero.
     *
     * @param user    the user name tried, or null when none was given
     * @param address the client's address, or null when unknown
     */
    public synchronized Duration retryAfter(String user, InetAddress address) {
        long now = clock.millis();
        return Duration.ofMillis(Math.max(remaining(userKey(user), now), remaining(addressKey(address), now)));
    }

    /** Counts a failed login; returns how long to wait now (zero unless this failure started a block). */
    public synchronized Duration recordFailure(String user, InetAddress address) {
        long now = clock.millis();
        prune(now);
        long wait = Math.max(fail(userKey(user), now), fail(addressKey(address), now));
        return Duration.ofMillis(wait);
    }

    /** Forgets the failures of {@code user}: it knew its password. The address's count stays. */
    public synchronized void recordSuccess(String user, InetAddress address) {
        String key = userKey(user);
        if (key != null) {
            records.remove(key);
        }
    }

    /** The value of a {@code Retry-After} header for {@code wait}: whole seconds, rounded up. */
    public static long retryAfterSeconds(Duration wait) {
        long millis = wait.toMillis();
        return millis <= 0 ? 0 : (millis + 999) / 1000;
    }

    synchronized int trackedKeys() {
        return records.size();
    }

    private long remaining(String key, long now) {
        Record record = key == null ? null : records.get(key);
        return record == null ? 0 : Math.max(0, record.blockedUntil - now);
    }

    private long fail(String key, long now) {
        if (key == null) {
            return 0;
        }
        Record record = records.get(key);
        if (record != null && now < record.blockedUntil) {
            // A caller that did not ask retryAfter first: still blocked, and the block is not
            // extended, so the order of last failures stays true.
            return record.blockedUntil - now;
        }
        if (record == null) {
            if (records.size() >= settings.maxTrackedKeys()) {
                // Full of keys that failed recently: drop the one whose last failure is oldest.
                Iterator<String> oldest = records.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            record = new Record(settings.maxFailures());
        } else {
            records.remove(key);
        }
        records.put(key, record); // to the tail: the newest failure
        if (record.rounds > 0 && now - quietSince(record) >= settings.forgetAfter().toMillis()) {
            record.rounds = 0;
        }
        record.lastFailure = now;
        record.failures[record.next] = now;
        record.next = (record.next + 1) % record.failures.length;
        long windowStart = now - settings.window().toMillis();
        int recent = 0;
        for (long failure : record.failures) {
            if (failure > windowStart) {
                recent++;
            }
        }
        if (recent < settings.maxFailures()) {
            return 0;
        }
        record.rounds++;
        long block = blockMillis(record.rounds);
        record.blockedUntil = now + block;
        Arrays.fill(record.failures, Long.MIN_VALUE);
        return block;
    }

    /** firstBlock · 2^(round-1), at most maxBlock, without overflowing for a long siege. */
    private long blockMillis(int round) {
        long block = settings.firstBlock().toMillis();
        long max = settings.maxBlock().toMillis();
        for (int i = 1; i < round && block < max; i++) {
            block *= 2;
        }
        return Math.min(block, max);
    }

    /** Since when a key has been quiet: its last failure, or the end of its block, whichever is later. */
    private static long quietSince(Record record) {
        return Math.max(record.lastFailure, record.blockedUntil);
    }

    /**
     * Drops keys quiet for forgetAfter, from the head (oldest last failure) up to the first that is
     * not: cheap on every call, and a key left behind a long block is dropped by the cap if need be.
     */
    private void prune(long now) {
        long forgetBefore = now - settings.forgetAfter().toMillis();
        Iterator<Map.Entry<String, Record>> entries = records.entrySet().iterator();
        while (entries.hasNext()) {
            if (quietSince(entries.next().getValue()) > forgetBefore) {
                return;
            }
            entries.remove();
        }
    }

    static String userKey(String user) {
        if (user == null) {
            return null;
        }
        if (user.length() <= MAX_PLAIN_USER_LENGTH) {
            return "u:" + user;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(user.getBytes(StandardCharsets.UTF_8));
            return "u#" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    static String addressKey(InetAddress address) {
        if (address == null) {
            return null;
        }
        if (address instanceof Inet6Address) {
            byte[] network = Arrays.copyOf(address.getAddress(), 8);
            return "a6:" + Base64.getEncoder().encodeToString(network);
        }
        return "a:" + address.getHostAddress();
    }
}
