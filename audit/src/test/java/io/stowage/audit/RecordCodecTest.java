package io.stowage.audit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The writer's fast encoder and the verifier's generic canonical form must agree byte for byte. */
class RecordCodecTest {

    @Test
    void theFastEncoderWritesExactlyTheCanonicalLine() {
        SplittableRandom random = new SplittableRandom(4);
        String prev = AuditRecord.GENESIS_HASH;
        for (int i = 1; i <= 2000; i++) {
            AuditEntry entry = randomEntry(random, i);
            String replica = maybe(random, "replica-" + (i % 3));
            RecordCodec.Encoded fast = RecordCodec.encode(i, replica, entry, prev);
            AuditRecord generic = RecordCodec.seal(i, replica, entry, prev);
            assertEquals(generic.hash(), fast.record().hash(), "hash of " + entry);
            assertArrayEquals(RecordCodec.line(generic), fast.line(), () -> new String(fast.line(), StandardCharsets.UTF_8));
            assertTrue(Arrays.equals(RecordCodec.canonical(RecordCodec.parse(fast.line())), fast.line()), "re-encodes to itself");
            prev = fast.record().hash();
        }
    }

    /** Plain records take the byte-by-byte path: the same bytes as the generic form and as Jackson's generator. */
    @Test
    void plainRecordsEncodeExactlyAsTheGeneratorDoes() {
        SplittableRandom random = new SplittableRandom(7);
        String prev = AuditRecord.GENESIS_HASH;
        for (int i = 1; i <= 2000; i++) {
            long second = i % 100 == 0 ? 253_402_300_799L : 1_700_000_000L + random.nextLong(1_000_000_000L);
            AuditEntry entry = new AuditEntry(random.nextBoolean() ? AuditEntry.REQUEST : AuditEntry.EVENT,
                    Instant.ofEpochSecond(second, i % 7 == 0 ? 0 : random.nextInt(1_000_000_000)),
                    maybe(random, "req-" + i), maybe(random, "user " + i + " ~!@#$%^&*()_+{}|:<>?`-=[];',./"),
                    maybe(random, "10.0.0." + (i % 250)), maybe(random, "GET"), maybe(random, "/v2/a/b/manifests/" + i),
                    "manifest.get", maybe(random, "a/b"), maybe(random, "latest"), maybe(random, "sha256:" + "b".repeat(64)),
                    random.nextBoolean() ? 200 + i % 300 : null, random.nextBoolean() ? random.nextLong(Long.MAX_VALUE) : null,
                    random.nextBoolean() ? 0L : null, random.nextBoolean() ? (long) i : null,
                    maybe(random, "skopeo/1.13 (go1.21)"), null);
            String replica = maybe(random, "registry-" + (i % 5));
            RecordCodec.Encoded fast = RecordCodec.encode(i, replica, entry, prev);
            assertArrayEquals(RecordCodec.encodeEscaping(i, replica, entry, prev).line(), fast.line(),
                    () -> new String(fast.line(), StandardCharsets.UTF_8));
            assertArrayEquals(RecordCodec.line(RecordCodec.seal(i, replica, entry, prev)), fast.line());
            assertEquals(replica, RecordCodec.fromMap(RecordCodec.parse(fast.line())).replica());
            prev = fast.record().hash();
        }
    }

    private static AuditEntry randomEntry(SplittableRandom random, int i) {
        String[] kinds = {AuditEntry.REQUEST, AuditEntry.EVENT, AuditEntry.CHECKPOINT};
        return new AuditEntry(kinds[random.nextInt(3)], Instant.ofEpochSecond(1_700_000_000L + i, random.nextInt(1_000_000_000)),
                maybe(random, "req-" + i), maybe(random, "al\"ice\\" + i), maybe(random, "127.0.0." + i),
                maybe(random, "PUT"), maybe(random, "/v2/team/app/manifests/v" + i + "\u00e9\u0001\n\t/"),
                "manifest.put", maybe(random, "team/app"), maybe(random, "v1"), maybe(random, "sha256:" + "a".repeat(64)),
                random.nextBoolean() ? 201 : null, random.nextBoolean() ? (long) random.nextInt(1 << 20) : null,
                random.nextBoolean() ? (long) random.nextInt() : null, random.nextBoolean() ? 5L : null,
                maybe(random, "skopeo/1.0 \u2028 \u007f"),
                random.nextBoolean() ? null : Map.of("z", 1L, "a", List.of("x", Map.of("kind", "k", "b", true)), "m", "\u0000"));
    }

    private static String maybe(SplittableRandom random, String value) {
        return random.nextBoolean() ? value : null;
    }
}
