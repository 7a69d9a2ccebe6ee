package io.stowage.audit.index;

import io.stowage.audit.ReplicaId;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where a page of a query over several chains ends: for each chain, the seq of the last record
 * handed out from it. Written {@code a:120,b:98} (a chain not named starts from its first
 * record; {@code -} names a log of the single-chain format). A plain number {@code 120}, the
 * cursor of a single chain, continues every chain after that seq. A cursor rather than a page
 * number, so records appended meanwhile to any chain never shift or skip a page. Immutable.
 */
public final class ReplicaCursor {
    /** How a cursor names the chain of a log of the single-chain format (never a valid replica id). */
    public static final String SINGLE_CHAIN = "-";

    private final Map<String, Long> after;
    private final Long everyChain;

    private ReplicaCursor(Map<String, Long> after, Long everyChain) {
        this.after = Map.copyOf(after);
        this.everyChain = everyChain;
    }

    public static final ReplicaCursor START = new ReplicaCursor(Map.of(), null);

    /** Parses a cursor; throws {@link IllegalArgumentException} with a message for the caller when malformed. */
    public static ReplicaCursor parse(String text) {
        if (text == null || text.isEmpty()) {
            return START;
        }
        if (text.chars().allMatch(Character::isDigit)) {
            return new ReplicaCursor(Map.of(), seq(text, text));
        }
        Map<String, Long> after = new TreeMap<>();
        for (String part : text.split(",")) {
            int colon = part.lastIndexOf(':');
            String chain = colon < 0 ? "" : part.substring(0, colon);
            if (colon < 0 || !(chain.equals(SINGLE_CHAIN) || ReplicaId.isValid(chain)) || after.containsKey(chain)) {
                throw new IllegalArgumentException("after must be a seq or the 'next' of a previous page (replica:seq,...),"
                        + " not '" + text + "'");
            }
            after.put(chain, seq(part.substring(colon + 1), text));
        }
        return new ReplicaCursor(after, null);
    }

    private static long seq(String digits, String text) {
        try {
            long value = Long.parseLong(digits);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("after must be a seq or the 'next' of a previous page, not '" + text + "'");
        }
    }

    /** The seq after which {@code chain} continues, or null to start at its first record. */
    public Long after(String chain) {
        Long seq = after.get(chain);
        return seq != null ? seq : everyChain;
    }

    /** This cursor moved on: {@code chain} continues after {@code seq}. */
    ReplicaCursor with(Map<String, Long> moved) {
        Map<String, Long> next = new TreeMap<>(after);
        next.putAll(moved);
        return new ReplicaCursor(next, everyChain);
    }

    /** The text of the cursor over the chains {@code chains}, each at its position here. */
    String format(Iterable<String> chains) {
        StringBuilder text = new StringBuilder();
        for (String chain : chains) {
            Long seq = after(chain);
            if (seq != null) {
                text.append(text.isEmpty() ? "" : ",").append(chain).append(':').append(seq);
            }
        }
        return text.toString();
    }
}
