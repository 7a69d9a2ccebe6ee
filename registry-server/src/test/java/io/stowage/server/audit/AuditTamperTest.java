package io.stowage.server.audit;

import io.stowage.audit.AuditRecord;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.server.cli.RegistryCommand;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real server writes a real log (pushes, a delete, an undelete, small segments so there are
 * several); then each test damages a copy the way an attacker or a bad disk would and runs
 * {@code registry audit verify}, which must exit 1 naming the segment and sequence number where
 * the damage is. The untouched copy must verify.
 */
class AuditTamperTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry(config -> config.audit.segmentMaxBytes = 4096);

    private static Path pristine;

    @TempDir
    Path work;

    @BeforeAll
    static void writeALogThenStop() throws Exception {
        OciApi api = new OciApi(registry);
        for (int i = 0; i < 8; i++) {
            api.pushImage("team/app", "v" + i, 100 + i);
        }
        assertEquals(202, api.send("DELETE", "/v2/team/app/manifests/v3", null).statusCode());
        assertEquals(200, api.send("POST", "/admin/repositories/team/app/tags/v3/undelete", null).statusCode());
        registry.stop();
        pristine = registry.dataDir();
        assertTrue(SegmentFiles.list(chain(pristine)).size() >= 4, "several segments to damage");
    }

    @Test
    void theUntouchedLogVerifies() throws IOException {
        Path dir = copy();
        Result result = verify(dir);
        assertEquals(0, result.exit, result.output);
        assertTrue(result.output.startsWith("OK "), result.output);
    }

    @Test
    void oneFlippedByteInAMiddleRecordIsFound() throws IOException {
        Path dir = copy();
        Path segment = segment(dir, 1);
        List<byte[]> lines = lines(segment);
        int middle = lines.size() / 2;
        long seq = seqOf(lines.get(middle));
        byte[] line = lines.get(middle);
        int at = new String(line, StandardCharsets.UTF_8).indexOf("\"path\":\"") + 9;
        line[at] ^= 0x01;
        write(segment, lines);
        assertFails(dir, segment, seq, "altered");
    }

    @Test
    void aDeletedLineIsFound() throws IOException {
        Path dir = copy();
        Path segment = segment(dir, 1);
        List<byte[]> lines = lines(segment);
        long seq = seqOf(lines.remove(2));
        write(segment, lines);
        assertFails(dir, segment, seq, "removed");
    }

    @Test
    void twoSwappedLinesAreFound() throws IOException {
        Path dir = copy();
        Path segment = segment(dir, 2);
        List<byte[]> lines = lines(segment);
        long seq = seqOf(lines.get(1));
        byte[] second = lines.get(1);
        lines.set(1, lines.get(2));
        lines.set(2, second);
        write(segment, lines);
        assertFails(dir, segment, seq, "moved");
    }

    @Test
    void anInsertedRecordIsFound() throws IOException {
        Path dir = copy();
        Path segment = segment(dir, 1);
        List<byte[]> lines = lines(segment);
        long seq = seqOf(lines.get(3));
        lines.add(3, lines.get(1));
        write(segment, lines);
        assertFails(dir, segment, seq, "inserted");
    }

    @Test
    void aRemovedSegmentIsFound() throws IOException {
        Path dir = copy();
        Path removed = segment(dir, 2);
        Files.delete(removed);
        Result result = verify(dir);
        assertEquals(1, result.exit, result.output);
        assertTrue(result.output.contains(removed.getFileName() + " is missing"), result.output);
    }

    @Test
    void aTailCutInsideARecordIsFound() throws IOException {
        Path dir = copy();
        Path last = newest(dir);
        byte[] bytes = Files.readAllBytes(last);
        Files.write(last, java.util.Arrays.copyOf(bytes, bytes.length - 20));
        Result result = verify(dir);
        assertEquals(1, result.exit, result.output);
        assertTrue(result.output.contains(last.getFileName().toString()) && result.output.contains("incomplete"),
                result.output);
    }

    @Test
    void aTailCutAtARecordBoundaryIsFound() throws IOException {
        Path dir = copy();
        Path last = newest(dir);
        List<byte[]> lines = lines(last);
        long firstCut = seqOf(lines.get(lines.size() - 2));
        write(last, new ArrayList<>(lines.subList(0, lines.size() - 2)));
        Result result = verify(dir);
        assertEquals(1, result.exit, result.output);
        assertTrue(result.output.contains(last.getFileName().toString()), result.output);
        assertTrue(result.output.contains("seq " + firstCut) || result.output.contains("not covered"), result.output);
    }

    @Test
    void aDeletedNewestSegmentIsFoundThroughHeadJson() throws IOException {
        Path dir = copy();
        List<Path> segments = SegmentFiles.list(chain(dir));
        Path newest = segments.get(segments.size() - 1);
        long firstCut = seqOf(lines(newest).get(0));
        Files.delete(newest);
        // What is left ends with a sealed, signed checkpoint: only head.json shows that more existed.
        assertFails(dir, segments.get(segments.size() - 2), firstCut, "cut");
    }

    @Test
    void aReplacedCheckpointSignatureIsFound() throws IOException {
        Path dir = copy();
        Path segment = segment(dir, 1);
        List<byte[]> lines = lines(segment);
        int index = lines.size() - 1;
        TreeMap<String, Object> fields = RecordCodec.parse(lines.get(index));
        assertEquals("checkpoint", fields.get("kind"), "a sealed segment ends with its checkpoint");
        @SuppressWarnings("unchecked")
        Map<String, Object> detail = (Map<String, Object>) fields.get("detail");
        detail.put("signature", Base64.getEncoder().encodeToString(new byte[64]));
        lines.set(index, RecordCodec.canonical(fields));
        write(segment, lines);
        assertFails(dir, segment, (Long) fields.get("seq"), "signature");
    }

    // ---- helpers ----

    private void assertFails(Path dir, Path segment, long seq, String reasonWord) {
        Result result = verify(dir);
        assertEquals(1, result.exit, result.output);
        String expected = "segment " + segment.getFileName() + " seq " + seq + ":";
        assertTrue(result.output.startsWith("FAILED replica ") && result.output.contains(expected),
                "expected '" + expected + "' named with the replica, got: " + result.output);
        assertTrue(result.output.contains(reasonWord), result.output);
    }

    private record Result(int exit, String output) {
    }

    private Result verify(Path dir) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new RegistryCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit = cli.execute("audit", "verify", "--dir", dir.resolve("audit").toString(),
                "--public-key", dir.resolve("keys/audit-ed25519.pub.pem").toString());
        return new Result(exit, out.toString());
    }

    private Path copy() throws IOException {
        Path target = work.resolve("copy");
        for (String part : List.of("audit", "keys")) {
            Path from = pristine.resolve(part);
            try (Stream<Path> files = Files.walk(from)) {
                for (Path file : files.toList()) {
                    Path to = target.resolve(part).resolve(from.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(file, to);
                        to.toFile().setWritable(true);
                    }
                }
            }
        }
        return target;
    }

    private static Path segment(Path dir, long number) {
        return chain(dir).resolve(SegmentFiles.name(number));
    }

    /** The registry's chain in a data directory (or a copy of one). */
    private static Path chain(Path dir) {
        try {
            return new AuditTrail(dir).directory();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path newest(Path dir) throws IOException {
        List<Path> segments = SegmentFiles.list(chain(dir));
        return segments.get(segments.size() - 1);
    }

    private static List<byte[]> lines(Path segment) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        for (SegmentFiles.Line line : SegmentFiles.readAll(segment)) {
            lines.add(line.bytes());
        }
        return lines;
    }

    private static void write(Path segment, List<byte[]> lines) throws IOException {
        try (var out = Files.newOutputStream(segment)) {
            for (byte[] line : lines) {
                out.write(line);
                out.write('\n');
            }
        }
    }

    private static long seqOf(byte[] line) {
        AuditRecord record = RecordCodec.fromMap(RecordCodec.parse(line));
        return record.seq();
    }
}
