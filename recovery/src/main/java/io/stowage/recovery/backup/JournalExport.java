package io.stowage.recovery.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.storage.meta.TagEvent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code stowage/journal.jsonl}: the tag journal as JSON lines, oldest first, one event a line:
 *
 * <pre>
 * {"id":17,"repository":"team/app","tag":"v1","type":"deleted","digest":"sha256:...",
 *  "previousDigest":null,"at":"2026-11-26T09:14:56.123Z","actor":"alice"}
 * </pre>
 *
 * Appended by each run with the events after the watermark. The state file records the length
 * that holds exactly the events up to the watermark; a run first cuts the file back to it, so a
 * run that stopped after appending and before saving its state leaves no duplicate lines. Not
 * thread-safe (one run uses it).
 */
final class JournalExport implements AutoCloseable {
    static final String FILE = "journal.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileChannel channel;
    private long appended;

    private JournalExport(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Opens the file cut back to {@code validBytes}. A file shorter than that was damaged or
     * removed since: it is emptied, and the caller exports the journal again from the start.
     *
     * @return the export, whose {@link #length()} is 0 when the caller has to start over
     */
    static JournalExport open(Path file, long validBytes) throws IOException {
        Files.createDirectories(file.getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            channel.truncate(size < validBytes ? 0 : validBytes);
            channel.position(channel.size());
            return new JournalExport(channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    long length() throws IOException {
        return channel.size();
    }

    /** Appends the events as lines (not yet forced; see {@link #force}). */
    void append(List<TagEvent> events) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (TagEvent event : events) {
            lines.append(line(event)).append('\n');
        }
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        appended += events.size();
    }

    /** Events appended by this export. */
    long appended() {
        return appended;
    }

    void force() throws IOException {
        channel.force(true);
    }

    private static String line(TagEvent event) throws JsonProcessingException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", event.id());
        json.put("repository", event.repository());
        json.put("tag", event.tag());
        json.put("type", event.type().wireName());
        json.put("digest", event.digest().toString());
        json.put("previousDigest", event.previousDigest() == null ? null : event.previousDigest().toString());
        json.put("at", BackupReport.time(event.at()));
        json.put("actor", event.actor());
        return JSON.writeValueAsString(json);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
