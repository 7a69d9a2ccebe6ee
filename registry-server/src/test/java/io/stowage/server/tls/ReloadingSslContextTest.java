package io.stowage.server.tls;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of a reload, driven check by check: no sleeping, no server. */
class ReloadingSslContextTest {
    @TempDir
    Path dir;

    private final DevCertificate pairA = TestPki.devCertificate();
    private final DevCertificate pairB = TestPki.devCertificate();
    private ReloadingSslContext context;

    @BeforeEach
    void loadPairA() throws Exception {
        TestPki.write(pairA, dir, "registry");
        context = ReloadingSslContext.load(new TlsSettings(dir.resolve("registry.crt"), dir.resolve("registry.key"),
                Optional.empty(), ClientAuthMode.NONE, Duration.ofSeconds(5)), Clock.systemUTC());
    }

    @Test
    void unchangedFilesKeepTheSameContext() {
        var before = context.get();
        context.checkForChange();
        context.checkForChange();
        assertSame(before, context.get());
    }

    @Test
    void aNewPairIsServedOnceItHoldsStillForOneCheck() {
        var before = context.get();
        TestPki.write(pairB, dir, "registry");

        context.checkForChange();
        assertEquals(pairA.certificate(), context.certificate(), "first sight of the change: wait for it to settle");
        context.checkForChange();
        assertEquals(pairB.certificate(), context.certificate());
        assertNotSame(before, context.get());
    }

    @Test
    void aHalfWrittenRenewalIsNotReadUntilBothFilesAreNew() {
        TestPki.replace(dir.resolve("registry.crt"), pairB.certificatePem());
        context.checkForChange();
        TestPki.replace(dir.resolve("registry.key"), pairB.privateKeyPem());
        context.checkForChange();
        assertEquals(pairA.certificate(), context.certificate(), "the files changed again since the last check");
        context.checkForChange();
        assertEquals(pairB.certificate(), context.certificate());
    }

    @Test
    void aBrokenPairKeepsTheOldCertificateAndIsReportedOnceUntilFixed() {
        try (LogCapture logs = new LogCapture()) {
            TestPki.replace(dir.resolve("registry.key"), pairB.privateKeyPem()); // pair A's certificate, B's key
            for (int i = 0; i < 5; i++) {
                context.checkForChange();
            }
            assertEquals(pairA.certificate(), context.certificate());
            assertEquals(1, logs.atOrAbove(Level.ERROR).size(), logs.atOrAbove(Level.ERROR).toString());
            assertTrue(logs.atOrAbove(Level.ERROR).get(0).contains("does not belong"));

            TestPki.replace(dir.resolve("registry.crt"), pairB.certificatePem());
            context.checkForChange();
            context.checkForChange();
            assertEquals(pairB.certificate(), context.certificate());
            assertEquals(1, logs.atOrAbove(Level.ERROR).size());
        }
    }

    @Test
    void aDeletedKeyKeepsTheOldCertificate() throws Exception {
        Files.delete(dir.resolve("registry.key"));
        context.checkForChange();
        context.checkForChange();
        assertEquals(pairA.certificate(), context.certificate());
    }

    @Test
    void aPairThatCannotBeUsedStopsTheFirstLoad() {
        TestPki.replace(dir.resolve("registry.key"), pairB.privateKeyPem());
        assertThrows(TlsFileException.class, () -> ReloadingSslContext.load(new TlsSettings(dir.resolve("registry.crt"),
                dir.resolve("registry.key"), Optional.empty(), ClientAuthMode.NONE, Duration.ofSeconds(5)), Clock.systemUTC()));
    }
}
