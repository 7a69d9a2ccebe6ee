package io.stowage.server.auth;

import io.stowage.storage.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginThrottleTest {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final ManualClock clock = new ManualClock();
    private final LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), clock);
    private final InetAddress home = address("192.0.2.10");
    private final InetAddress away = address("198.51.100.7");

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private Duration fail(String user, InetAddress from, int times) {
        Duration last = Duration.ZERO;
        for (int i = 0; i < times; i++) {
            last = throttle.recordFailure(user, from);
        }
        return last;
    }

    @Test
    void fiveFailuresWithinAMinuteBlockForAMinute() {
        assertEquals(Duration.ZERO, fail("alice", home, 4));
        assertEquals(Duration.ZERO, throttle.retryAfter("alice", home));
        assertEquals(MINUTE, throttle.recordFailure("alice", home));
        assertEquals(MINUTE, throttle.retryAfter("alice", home));
        assertEquals(MINUTE, throttle.retryAfter("alice", away), "the user is blocked from anywhere");
        assertEquals(MINUTE, throttle.retryAfter("bob", home), "and the address for anyone");

        clock.advance(Duration.ofSeconds(20));
        assertEquals(Duration.ofSeconds(40), throttle.retryAfter("alice", home));
        clock.advance(Duration.ofSeconds(40));
        assertEquals(Duration.ZERO, throttle.retryAfter("alice", home));
    }

    @Test
    void failuresFurtherApartThanTheWindowDoNotAddUp() {
        // Every 16 s: never 5 within one minute.
        for (int i = 0; i < 20; i++) {
            assertEquals(Duration.ZERO, throttle.recordFailure("alice", home));
            clock.advance(Duration.ofSeconds(16));
        }
        // Every 14 s: the fifth is within the minute of the first.
        for (int i = 0; i < 4; i++) {
            assertEquals(Duration.ZERO, throttle.recordFailure("bob", away));
            clock.advance(Duration.ofSeconds(14));
        }
        assertEquals(MINUTE, throttle.recordFailure("bob", away));
        assertEquals(Duration.ZERO, throttle.retryAfter("alice", home));
    }

    @Test
    void blocksDoubleEachRoundUpToFifteenMinutes() {
        List<Long> minutes = new ArrayList<>();
        for (int round = 0; round < 7; round++) {
            Duration block = fail("alice", home, 5);
            minutes.add(block.toMinutes());
            clock.advance(block);
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 15L, 15L, 15L), minutes);
    }

    @Test
    void aKeyQuietForFifteenMinutesAfterItsBlockStartsOver() {
        clock.advance(fail("alice", home, 5));
        clock.advance(fail("alice", home, 5));
        clock.advance(Duration.ofMinutes(14));
        assertEquals(Duration.ofMinutes(4), fail("alice", home, 5), "14 minutes are not enough");
        clock.advance(Duration.ofMinutes(4).plus(Duration.ofMinutes(15)));
        assertEquals(MINUTE, fail("alice", home, 5));
    }

    @Test
    void failuresDuringABlockDoNotExtendIt() {
        fail("alice", home, 5);
        clock.advance(Duration.ofSeconds(30));
        assertEquals(Duration.ofSeconds(30), throttle.recordFailure("alice", home));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(Duration.ZERO, throttle.retryAfter("alice", home));
        assertEquals(Duration.ZERO, fail("alice", home, 4), "the count starts again after a block");
    }

    @Test
    void successClearsTheUsersCountButNotTheAddresss() {
        fail("alice", home, 4);
        throttle.recordSuccess("alice", home);
        assertEquals(Duration.ZERO, fail("alice", away, 4), "alice's count started over");
        // The address has had 4 failures; its 5th blocks it even for another user.
        assertEquals(MINUTE, throttle.recordFailure("mallory", home));
        assertEquals(MINUTE, throttle.retryAfter("alice", home));
        assertEquals(Duration.ZERO, throttle.retryAfter("carol", away));
    }

    @Test
    void oneAddressGuessingManyUsersIsBlocked() {
        for (String user : List.of("a", "b", "c", "d")) {
            assertEquals(Duration.ZERO, throttle.recordFailure(user, home));
        }
        assertEquals(MINUTE, throttle.recordFailure("e", home));
        assertEquals(MINUTE, throttle.retryAfter("f", home));
        assertEquals(Duration.ZERO, throttle.retryAfter("a", away));
    }

    @Test
    void manyAddressesGuessingOneUserAreBlocked() {
        for (int i = 1; i <= 4; i++) {
            assertEquals(Duration.ZERO, throttle.recordFailure("alice", address("203.0.113." + i)));
        }
        assertEquals(MINUTE, throttle.recordFailure("alice", address("203.0.113.5")));
        assertEquals(MINUTE, throttle.retryAfter("alice", address("203.0.113.99")));
        assertEquals(Duration.ZERO, throttle.retryAfter("bob", address("203.0.113.1")));
    }

    @Test
    void ipv6ClientsCountByTheirSlash64() {
        for (int i = 1; i <= 5; i++) {
            throttle.recordFailure("user" + i, address("2001:db8:1:2::" + i));
        }
        assertEquals(MINUTE, throttle.retryAfter("other", address("2001:db8:1:2:ffff::1")));
        assertEquals(Duration.ZERO, throttle.retryAfter("other", address("2001:db8:1:3::1")));
    }

    @Test
    void missingUserOrAddressCountsWhatIsThere() {
        fail(null, home, 5);
        assertEquals(MINUTE, throttle.retryAfter(null, home));
        assertEquals(MINUTE, throttle.retryAfter("anyone", home));
        fail("alice", null, 5);
        assertEquals(MINUTE, throttle.retryAfter("alice", null));
        assertEquals(Duration.ZERO, throttle.retryAfter(null, null));
        throttle.recordSuccess(null, null);
    }

    @Test
    void longUserNamesAreKeptShortButStillCounted() {
        String longName = "x".repeat(10_000);
        assertTrue(LoginThrottle.userKey(longName).length() < 64);
        assertEquals("u:alice", LoginThrottle.userKey("alice"));
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure(longName, address("203.0.113." + i));
        }
        assertEquals(MINUTE, throttle.retryAfter(longName, away));
        assertEquals(Duration.ZERO, throttle.retryAfter("x".repeat(9_999), away));
    }

    @Test
    void keysAreForgottenAfterAQuietPeriod() {
        for (int i = 0; i < 50; i++) {
            throttle.recordFailure("user" + i, address("203.0.113." + i));
        }
        assertEquals(100, throttle.trackedKeys());
        clock.advance(Duration.ofMinutes(15));
        throttle.recordFailure("late", away);
        assertEquals(2, throttle.trackedKeys());
    }

    @Test
    void blockedKeysOutliveTheQuietPeriodOfOthers() {
        LoginThrottle.Settings settings = new LoginThrottle.Settings(1, MINUTE, Duration.ofMinutes(10),
                Duration.ofMinutes(10), Duration.ofMinutes(10), 100);
        LoginThrottle strict = new LoginThrottle(settings, clock);
        strict.recordFailure("alice", null);
        clock.advance(Duration.ofMinutes(9));
        strict.recordFailure("bob", null);
        assertEquals(Duration.ofMinutes(1), strict.retryAfter("alice", null));
        assertEquals(2, strict.trackedKeys());
    }

    @Test
    void theNumberOfTrackedKeysIsCappedDroppingTheOldestFirst() {
        LoginThrottle.Settings settings = new LoginThrottle.Settings(5, MINUTE, MINUTE, Duration.ofMinutes(15),
                Duration.ofMinutes(15), 100);
        LoginThrottle small = new LoginThrottle(settings, clock);
        for (int i = 0; i < 5; i++) {
            small.recordFailure("first", null);
        }
        for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofMillis(1));
            small.recordFailure("spray" + i, null);
        }
        assertEquals(100, small.trackedKeys());
        assertEquals(Duration.ZERO, small.retryAfter("first", null), "the oldest key made room");
        assertEquals(Duration.ZERO, small.recordFailure("spray999", null));
        for (int i = 0; i < 3; i++) {
            small.recordFailure("spray999", null);
        }
        assertEquals(MINUTE, small.recordFailure("spray999", null), "a recent key still counts");
    }

    @Test
    void concurrentFailuresAreNeitherLostNorDoubleCounted() throws Exception {
        int users = 200;
        AtomicInteger blocksStarted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 5; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int u = 0; u < users; u++) {
                        if (!throttle.recordFailure("user" + u, null).isZero()) {
                            blocksStarted.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(List.of(), errors);
        assertEquals(users, blocksStarted.get(), "each user's fifth failure, and only it, started a block");
        for (int u = 0; u < users; u++) {
            assertEquals(MINUTE, throttle.retryAfter("user" + u, null));
        }
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUp() {
        assertEquals(0, LoginThrottle.retryAfterSeconds(Duration.ZERO));
        assertEquals(1, LoginThrottle.retryAfterSeconds(Duration.ofMillis(1)));
        assertEquals(60, LoginThrottle.retryAfterSeconds(MINUTE));
        assertEquals(61, LoginThrottle.retryAfterSeconds(MINUTE.plusMillis(1)));
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LoginThrottle.Settings(0, MINUTE, MINUTE, MINUTE, MINUTE, 10));
        assertThrows(IllegalArgumentException.class,
                () -> new LoginThrottle.Settings(5, Duration.ZERO, MINUTE, MINUTE, MINUTE, 10));
        assertThrows(IllegalArgumentException.class,
                () -> new LoginThrottle.Settings(5, MINUTE, Duration.ofMinutes(2), MINUTE, Duration.ofMinutes(2), 10));
        assertThrows(IllegalArgumentException.class,
                () -> new LoginThrottle.Settings(5, MINUTE, MINUTE, Duration.ofMinutes(15), Duration.ofMinutes(5), 10));
        assertThrows(IllegalArgumentException.class, () -> new LoginThrottle.Settings(5, MINUTE, MINUTE, MINUTE, MINUTE, 1));
    }
}
