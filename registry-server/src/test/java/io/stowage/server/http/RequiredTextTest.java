package io.stowage.server.http;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequiredTextTest {

    @Test
    void readsTheLongestLiteralThatEveryMatchContains() {
        assertEquals("/manifests/", RequiredText.of("/v2/(?<name>.+)/manifests/(?<reference>[^/]+)"));
        assertEquals("/blobs/uploads", RequiredText.of("/v2/(?<name>.+)/blobs/uploads/?"));
        assertEquals("/tags/list", RequiredText.of("/v2/(?<name>.+)/tags/list"));
        assertEquals("/v2", RequiredText.of("/v2/?"));
        assertEquals("/admin/gc/runs/", RequiredText.of("/admin/gc/runs/(?<id>[^/]+)"));
        assertEquals("/healthz", RequiredText.of("/healthz"));
        assertEquals("", RequiredText.of("/a|/b"));
        assertEquals("/x", RequiredText.of("/x\\d+/y"));
    }

    @Test
    void everyRoutePathStillContainsItsRequiredText() {
        String[][] cases = {
                {"/v2/(?<name>.+)/manifests/(?<reference>[^/]+)", "/v2/a/b/manifests/v1"},
                {"/v2/(?<name>.+)/blobs/uploads/?", "/v2/a/blobs/uploads"},
                {"/v2/?", "/v2"},
                {"/v2/?", "/v2/"},
                {"/admin/repositories/(?<name>.+)/tags/(?<tag>[^/]+)/undelete", "/admin/repositories/a/tags/v1/undelete"},
        };
        for (String[] c : cases) {
            assertTrue(Pattern.matches(c[0], c[1]));
            assertTrue(c[1].contains(RequiredText.of(c[0])), c[0] + " vs " + c[1]);
        }
    }
}
