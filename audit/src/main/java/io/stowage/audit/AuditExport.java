package io.stowage.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes the records of audit chains that fall in a time range, for a SIEM: as JSON lines
 * (each line exactly as stored, so hashes still check) or as CSV with one column per field,
 * {@code detail} as JSON and the chain's replica last. Chain by chain (in the order given), each
 * in seq order; streams segment by segment, so memory does not grow with the log.
 */
public final class AuditExport {
    /** The CSV columns, in order. */
    public static final List<String> COLUMNS = List.of("seq", "time", "kind", "requestId", "actor", "remoteAddr",
            "method", "path", "action", "repository", "reference", "digest", "status", "bytesIn", "bytesOut",
            "durationMs", "userAgent", "detail", "prevHash", "hash", "replica");

    public enum Format { JSONL, CSV }

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditExport() {
    }

    /**
     * @param since  first instant included, or null
     * @param until  first instant excluded, or null
     * @param filter further selection (repository, actor ...), or null for all
     * @return the number of records written
     */
    public static long export(List<AuditChains.Chain> chains, Instant since, Instant until,
                              Predicate<AuditRecord> filter, Format format, OutputStream out) throws IOException {
        Predicate<AuditRecord> selected = record -> {
            Instant time = record.entry().time();
            return (since == null || !time.isBefore(since)) && (until == null || time.isBefore(until))
                    && (filter == null || filter.test(record));
        };
        long[] written = {0};
        CsvSchema.Builder columns = CsvSchema.builder();
        COLUMNS.forEach(columns::addColumn);
        try (SequenceWriter csv = format == Format.CSV
                ? new CsvMapper().writer(columns.build().withHeader()).writeValues(nonClosing(out)) : null) {
            for (AuditChains.Chain chain : chains) {
                written[0] += exportChain(chain, selected, csv, out);
            }
        }
        out.flush();
        return written[0];
    }

    private static long exportChain(AuditChains.Chain chain, Predicate<AuditRecord> selected, SequenceWriter csv,
                                    OutputStream out) throws IOException {
        long[] written = {0};
        for (Path segment : SegmentFiles.list(chain.directory())) {
            SegmentFiles.readLines(segment, 0, line -> {
                if (!line.complete()) {
                    return false;
                }
                AuditRecord record = RecordCodec.fromMap(RecordCodec.parse(line.bytes()));
                if (selected.test(record)) {
                    if (csv != null) {
                        csv.write(csvRow(record, chain.replica()));
                    } else {
                        out.write(line.bytes());
                        out.write('\n');
                    }
                    written[0]++;
                }
                return true;
            });
        }
        return written[0];
    }

    private static Map<String, Object> csvRow(AuditRecord record, String chainReplica) throws JsonProcessingException {
        Map<String, Object> fields = RecordCodec.toMap(record);
        fields.putIfAbsent("replica", chainReplica);
        Map<String, Object> row = new LinkedHashMap<>();
        for (String column : COLUMNS) {
            Object value = fields.get(column);
            row.put(column, column.equals("detail") && value != null ? JSON.writeValueAsString(value) : value);
        }
        return row;
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
