package io.stowage.server.auth;

import io.stowage.storage.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReloadingFileTest {
    private static final Duration CHECK_EVERY = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final AtomicInteger parses = new AtomicInteger();

    /** Content is the text; a file whose text starts with "bad" does not parse. */
    private String parse(Path file, byte[] content) throws AuthFileException {
        parses.incrementAndGet();
        String text = new String(content, StandardCharsets.UTF_8);
        if (text.startsWith("bad")) {
            throw new AuthFileException(file + ": bad content");
        }
        return text;
    }

    private Path file(String content) throws Exception {
        Path file = dir.resolve("content.txt");
        Files.writeString(file, content);
        return file;
    }

    @Test
    void theFileIsLookedAtNoMoreOftenThanTheInterval() throws Exception {
        Path file = file("one");
        ReloadingFile<String> reloading = ReloadingFile.load(file, this::parse, CHECK_EVERY, clock);
        Files.writeString(file, "two!");
        clock.advance(CHECK_EVERY.minusMillis(1));
        assertEquals("one", reloading.current());
        clock.advance(Duration.ofMillis(1));
        assertEquals("two!", reloading.current());
        assertEquals(2, parses.get());
    }

    @Test
    void anUnchangedFileIsNotParsedAgain() throws Exception {
        ReloadingFile<String> reloading = ReloadingFile.load(file("one"), this::parse, CHECK_EVERY, clock);
        for (int i = 0; i < 5; i++) {
            clock.advance(CHECK_EVERY);
            assertEquals("one", reloading.current());
        }
        assertEquals(1, parses.get());
    }

    @Test
    void anEditOfTheSameSizeIsNoticedByItsModificationTime() throws Exception {
        Path file = file("aaa");
        ReloadingFile<String> reloading = ReloadingFile.load(file, this::parse, CHECK_EVERY, clock);
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, "bbb");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 1000));
        clock.advance(CHECK_EVERY);
        assertEquals("bbb", reloading.current());
    }

    @Test
    void aBrokenVersionIsParsedOnceAndTheLastGoodOneStays() throws Exception {
        Path file = file("good");
        ReloadingFile<String> reloading = ReloadingFile.load(file, this::parse, CHECK_EVERY, clock);
        Files.writeString(file, "bad edit");
        for (int i = 0; i < 3; i++) {
            clock.advance(CHECK_EVERY);
            assertEquals("good", reloading.current());
        }
        assertEquals(2, parses.get(), "the broken version is parsed once, not at every check");
        assertEquals(file + ": bad content; keeping the version loaded before", reloading.rejectedChange().orElseThrow());

        Files.writeString(file, "fixed again");
        clock.advance(CHECK_EVERY);
        assertEquals("fixed again", reloading.current());
        assertTrue(reloading.rejectedChange().isEmpty());
    }

    @Test
    void goingBackToTheLoadedVersionClearsTheProblem() throws Exception {
        Path file = file("good");
        ReloadingFile<String> reloading = ReloadingFile.load(file, this::parse, CHECK_EVERY, clock);
        Path backup = dir.resolve("backup");
        Files.move(file, backup);
        clock.advance(CHECK_EVERY);
        assertEquals("good", reloading.current());
        assertTrue(reloading.rejectedChange().isPresent());
        Files.move(backup, file);
        clock.advance(CHECK_EVERY);
        assertEquals("good", reloading.current());
        assertTrue(reloading.rejectedChange().isEmpty());
        assertEquals(1, parses.get());
    }

    @Test
    void theFirstLoadThrowsWhatIsWrong() throws Exception {
        Path file = file("bad from the start");
        AuthFileException e = assertThrows(AuthFileException.class,
                () -> ReloadingFile.load(file, this::parse, CHECK_EVERY, clock));
        assertEquals(file + ": bad content", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ReloadingFile.load(file("x"), this::parse, Duration.ofSeconds(-1), clock));
    }

    @Test
    void readersOnManyThreadsSeeOneVersionOrTheOtherAndParseItOnce() throws Exception {
        Path file = file("one");
        ReloadingFile<String> reloading = ReloadingFile.load(file, this::parse, Duration.ZERO, clock);
        Files.writeString(file, "two!");
        CountDownLatch start = new CountDownLatch(1);
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 200; i++) {
                        seen.add(reloading.current());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(1600, seen.size());
        assertTrue(seen.stream().allMatch(s -> s.equals("one") || s.equals("two!")));
        assertEquals("two!", reloading.current());
        assertEquals(2, parses.get(), "the new version is parsed once however many threads ask");
    }
}
