package io.stowage.server.oci;

import io.stowage.storage.error.RegistryException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The {@code n} and {@code last} query parameters of the tag and catalog lists, and the
 * {@code Link} header that points at the next page. Immutable.
 */
record Pagination(int limit, String last) {
    /** No page is larger than this, whatever {@code n} says; the Link header leads on. */
    static final int MAX_PAGE = 10_000;

    static Pagination parse(String n, String last, int defaultLimit) {
        int limit = defaultLimit;
        if (n != null) {
            try {
                limit = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw RegistryException.paginationInvalid("n must be a non-negative integer");
            }
            if (limit < 0) {
                throw RegistryException.paginationInvalid("n must be a non-negative integer");
            }
        }
        return new Pagination(Math.min(limit, MAX_PAGE), last == null || last.isEmpty() ? null : last);
    }

    /** The Link header value for the page after the one ending with {@code lastItem}. */
    String nextLink(String path, String lastItem) {
        return "<" + path + "?last=" + URLEncoder.encode(lastItem, StandardCharsets.UTF_8) + "&n=" + limit
                + ">; rel=\"next\"";
    }
}
