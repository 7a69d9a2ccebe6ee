package io.stowage.audit.index;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.stowage.audit.MalformedRecordException;

import java.io.IOException;
import java.time.DateTimeException;

/**
 * Picks the indexed fields out of a record's line with Jackson's streaming parser, skipping the
 * rest. Indexing does not need the whole record (and does not verify it: that is
 * {@code registry audit verify}'s job), nor does a query testing the lines of a run, and building
 * each record as a map first made parsing the most expensive part of a catch-up. Field names are
 * those of {@code RecordCodec}.
 */
final class RowParser {
    private static final JsonFactory JSON = new JsonFactory();

    private RowParser() {
    }

    /** The row of one line, with its hash (to remember the last record indexed). */
    record Parsed(IndexRow row, String hash) {
    }

    static Parsed parse(byte[] line, long segment, long offset) {
        return parse(line, 0, line.length, segment, offset);
    }

    /** The row of the line in {@code length} bytes of {@code buffer} from {@code from}, parsed where it lies. */
    static Parsed parse(byte[] buffer, int from, int length, long segment, long offset) {
        Long seq = null;
        Long time = null;
        String actor = null;
        String action = null;
        String repository = null;
        Integer status = null;
        String kind = null;
        String hash = null;
        try (JsonParser p = JSON.createParser(buffer, from, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedRecordException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "seq" -> seq = p.getLongValue();
                    case "time" -> time = RecordTime.micros(p.getText());
                    case "actor" -> actor = p.getText();
                    case "action" -> action = p.getText();
                    case "repository" -> repository = p.getText();
                    case "status" -> status = p.getIntValue();
                    case "kind" -> kind = p.getText();
                    case "hash" -> hash = p.getText();
                    default -> {
                        if (value.isStructStart()) {
                            p.skipChildren();
                        }
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new MalformedRecordException("not one JSON object");
            }
        } catch (IOException | DateTimeException e) {
            throw new MalformedRecordException("not a record: " + e.getMessage());
        }
        if (seq == null || time == null || action == null || kind == null || hash == null) {
            throw new MalformedRecordException("not a record: seq, time, action, kind or hash is missing");
        }
        IndexRow row = new IndexRow(seq, time, actor, action, repository, status, kind,
                new RecordLocation(seq, segment, offset, length));
        return new Parsed(row, hash);
    }
}
