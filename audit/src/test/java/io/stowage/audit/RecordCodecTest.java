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
            RecordCodec.Encoded fast = RecordCodec.encode(i, entry, prev);
            AuditRecord generic = RecordCodec.seal(i, entry, prev);
            assertEquals(generic.hash(), fast.record().hash(), "hash of " + entry);
            assertArrayEquals(RecordCodec.line(generic), fast.line(), () -> new String(fast.line(), StandardCharsets.UTF_8));
            assertTrue(Arrays.equals(RecordCodec.canonical(RecordCodec.parse(fast.line())), fast.line()), "re-encodes to itself");
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
