package io.stowage.audit.index;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The conditions of a query, tested on the lines of a run. A filtered scan reads whole blocks of
 * lines of which few match, and parsing each would cost far more than the scan; but the lines are
 * canonical JSON ({@code RecordCodec}), so a record with {@code repository} {@code team/app}
 * holds the bytes {@code "repository":"team/app"} exactly. A line without the text of every
 * condition that has one is rejected on sight; the rest are parsed ({@link RowParser}) and
 * compared, because the text may also occur elsewhere in a line (in an event's {@code detail}).
 * A value that JSON would escape gets no text: lines are then judged by parsing alone.
 *
 * <p>Semantics are those of {@link AuditQuery}: equality on each value set, {@code since}
 * inclusive and {@code until} exclusive on the record time in whole microseconds ({@link Micros#ceil}).
 */
final class LineFilter {
    private final String repository;
    private final String actor;
    private final String action;
    private final Integer status;
    private final long sinceMicros;
    private final long untilMicros;
    private final boolean conditional;
    /** The field texts every matching line holds; the first is the one to search a run for. */
    private final String[] texts;
    private final byte[][] textBytes;

    private LineFilter(AuditQuery q, String[] texts) {
        this.repository = q.repository();
        this.actor = q.actor();
        this.action = q.action();
        this.status = q.status();
        this.sinceMicros = q.since() == null ? Long.MIN_VALUE : Micros.ceil(q.since());
        this.untilMicros = q.until() == null ? Long.MAX_VALUE : Micros.ceil(q.until());
        this.conditional = repository != null || actor != null || action != null || status != null
                || q.since() != null || q.until() != null;
        this.texts = texts;
        this.textBytes = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            textBytes[i] = texts[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * The filter of a query's conditions (its {@code afterSeq} and {@code limit} are the scan's
     * business). {@code first} names the column ({@link IndexSchema#FILTER_COLUMNS}) whose text
     * is searched for first, presumably the rarest; null for any.
     */
    static LineFilter of(AuditQuery q, String first) {
        List<String> texts = new ArrayList<>(4);
        addText(texts, first, "repository", q.repository());
        addText(texts, first, "actor", q.actor());
        addText(texts, first, "action", q.action());
        if (q.status() != null) {
            // No closing delimiter: a text that is a prefix of the field's text is still a necessary condition.
            texts.add("status".equals(first) ? 0 : texts.size(), "\"status\":" + q.status());
        }
        return new LineFilter(q, texts.toArray(new String[0]));
    }

    /** Whether every line matches: then no line needs to be parsed. */
    boolean unconditional() {
        return !conditional;
    }

    /** The text (ASCII) a matching line must hold, to search a run for; null when no condition has one. */
    String anchor() {
        return texts.length == 0 ? null : texts[0];
    }

    /** Whether the line in {@code [from, to)} of {@code buffer}, which holds the anchor, holds every other text too. */
    boolean holdsTheOtherTexts(byte[] buffer, int from, int to) {
        for (int i = 1; i < texts.length; i++) {
            if (Bytes.indexOf(buffer, from, to, textBytes[i]) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether the parsed record meets every condition. */
    boolean matches(IndexRow row) {
        return (repository == null || repository.equals(row.repository()))
                && (actor == null || actor.equals(row.actor()))
                && (action == null || action.equals(row.action()))
                && (status == null || Objects.equals(status, row.status()))
                && row.timeMicros() >= sinceMicros
                && row.timeMicros() < untilMicros;
    }

    private static void addText(List<String> texts, String first, String name, String value) {
        if (value == null || !printableAscii(value)) {
            return;
        }
        texts.add(name.equals(first) ? 0 : texts.size(), "\"" + name + "\":\"" + value + "\"");
    }

    /**
     * Whether the canonical JSON of the string is the string itself between quotes: printable
     * ASCII without {@code "} or {@code \}, the characters the codec's JSON writer never escapes.
     */
    private static boolean printableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
