package io.stowage.server.hardening;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.server.OciApi;
import io.stowage.server.TestRegistry;
import io.stowage.storage.oci.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.stowage.server.OciApi.OCI_MANIFEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hundreds of hostile or broken requests over raw sockets, each with the status and OCI error code
 * it must get; afterwards the server still serves, and no blob, upload, repository, tag or manifest
 * has changed (the audit log records each request, which is its job).
 */
class BadInputSuiteTest {
    @RegisterExtension
    static final TestRegistry registry = new TestRegistry();
    private final OciApi api = new OciApi(registry);

    /** One crafted request and what it must get; {@code code} null: no body to check (HEAD, a cut connection). */
    private record Case(String name, byte[] request, int status, String code, boolean halfClose) {
    }

    @Test
    void everyBadRequestGetsItsErrorAndChangesNothing() throws Exception {
        Digest image = api.pushImage("ok/app", "v1", 77);
        String upload = startUpload("ok/app");
        Digest blob = api.pushBlob("ok/app", OciApi.randomBytes(1000, 78));
        TreeMap<String, String> before = snapshot();

        List<Case> cases = cases(image, upload, blob);
        assertTrue(cases.size() >= 200, "a suite of at least 200 requests, have " + cases.size());
        RawHttp raw = new RawHttp(registry.registry().address().getPort());
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            RawHttp.Answer answer = raw.exchange(c.request(), c.halfClose());
            String problem = check(c, answer);
            if (problem != null) {
                wrong.add(c.name() + ": " + problem);
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + cases.size() + " cases answered wrongly");

        // Still serving, and nothing a client could see or the collector could keep has changed.
        assertEquals(200, api.get("/v2/").statusCode());
        HttpResponse<byte[]> manifest = api.get("/v2/ok/app/manifests/v1", "Accept", OCI_MANIFEST);
        assertEquals(200, manifest.statusCode());
        assertEquals(image, Digest.sha256(manifest.body()));
        assertEquals(before, snapshot(), "blobs, uploads, catalog and tags unchanged");
    }

    private static String check(Case c, RawHttp.Answer answer) throws IOException {
        if (answer.status() != c.status()) {
            return "status " + answer.status() + " instead of " + c.status() + " " + abbreviate(answer.text());
        }
        if (answer.status() >= 500) {
            return "a server error";
        }
        if (c.code() == null) {
            return null;
        }
        JsonNode body;
        try {
            body = OciApi.JSON.readTree(answer.body());
        } catch (IOException e) {
            return "not a JSON error body: " + abbreviate(answer.text());
        }
        String code = body.path("errors").path(0).path("code").asText();
        if (!code.equals(c.code())) {
            return "code " + code + " instead of " + c.code() + " " + abbreviate(answer.text());
        }
        String text = answer.text();
        if (text.contains("Exception") || text.contains("\tat ")) {
            return "a stack trace in the answer";
        }
        return null;
    }

    private List<Case> cases(Digest image, String upload, Digest blob) {
        List<Case> cases = new ArrayList<>();
        String okBlob = "/v2/ok/app/blobs/";
        String uploadPath = "/v2/ok/app/blobs/uploads/" + upload;

        // Repository names: traversal, case, separators, length, encodings.
        List<String> badNames = List.of("UPPER/case", "a//b", "-leading", "trailing-", "a..b", "a/../b", "../a",
                "a/./b", "..", ".", "a/..", "%2e%2e", "a/%2e%2e/b", "a%2F..%2Fb", "a%20b", "a%00b", "a\\b", "a:b",
                "a@b", "a$b", "caf%C3%A9", "a/b/", "_a", "a__", "a" + "/b".repeat(130), "x".repeat(256),
                "a/-b", "a/b-", "a.-b");
        for (String name : badNames) {
            cases.add(expect("name " + name + " tags", get("/v2/" + name + "/tags/list"), 400, "NAME_INVALID"));
            cases.add(expect("name " + name + " manifest", get("/v2/" + name + "/manifests/v1"), 400, "NAME_INVALID"));
            cases.add(expect("name " + name + " blob", get("/v2/" + name + "/blobs/" + image), 400, "NAME_INVALID"));
            cases.add(expect("name " + name + " upload", request("POST", "/v2/" + name + "/blobs/uploads/",
                    new byte[0]), 400, "NAME_INVALID"));
        }

        // A control character in a name does not even match a route: 404, the same for every route.
        for (String path : List.of("/tags/list", "/manifests/v1", "/blobs/" + image, "/blobs/uploads/")) {
            cases.add(expect("name with a newline " + path, get("/v2/a%0Ab" + path), 404, "UNSUPPORTED"));
        }
        // A tab does (the expression's '.' takes it), so the name check refuses it.
        for (String path : List.of("/tags/list", "/manifests/v1", "/blobs/" + image)) {
            cases.add(expect("name with a tab " + path, get("/v2/a%09b" + path), 400, "NAME_INVALID"));
        }
        cases.add(expect("name with a tab, upload", request("POST", "/v2/a%09b/blobs/uploads/", new byte[0]), 400,
                "NAME_INVALID"));

        // Tags and digests.
        for (String tag : List.of("-x", ".x", "a".repeat(129), "t%20ag", "t%00", "%2e%2e", "ta~g", "t*", "t%C3%A9")) {
            cases.add(expect("tag " + tag, get("/v2/ok/app/manifests/" + tag), 400, "MANIFEST_INVALID"));
        }
        List<String> badDigests = List.of("sha256:xyz", "sha256:" + "a".repeat(63), "sha256:" + "A".repeat(64),
                "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:" + "a".repeat(65), "sha512:abc", "sha256:",
                "sha256:" + "g".repeat(64), "sha256+b64:abc", "SHA256:" + "a".repeat(64));
        for (String digest : badDigests) {
            cases.add(expect("blob digest " + digest, get(okBlob + digest), 400, "DIGEST_INVALID"));
            cases.add(expect("manifest digest " + digest, get("/v2/ok/app/manifests/" + digest), 400, "DIGEST_INVALID"));
            cases.add(expect("delete digest " + digest, request("DELETE", okBlob + digest, new byte[0]), 400,
                    "DIGEST_INVALID"));
        }
        // A colon first is no digest, so it is read as a tag, which it is not either.
        cases.add(expect("reference :abc", get("/v2/ok/app/manifests/:abc"), 400, "MANIFEST_INVALID"));
        // An encoded slash decodes into the path: no route matches, whatever follows.
        cases.add(expect("digest with a slash", get(okBlob + "sha256:..%2F..%2Fetc"), 404, "UNSUPPORTED"));
        cases.add(expect("reference with a slash", get("/v2/ok/app/manifests/sha256:..%2F..%2Fetc"), 404, "UNSUPPORTED"));
        String absent = "sha256:" + "0".repeat(64);
        cases.add(expect("absent blob", get(okBlob + absent), 404, "BLOB_UNKNOWN"));
        cases.add(expect("absent manifest", get("/v2/ok/app/manifests/" + absent), 404, "MANIFEST_UNKNOWN"));
        cases.add(expect("absent tag", get("/v2/ok/app/manifests/nope"), 404, "MANIFEST_UNKNOWN"));
        cases.add(expect("blob of another repository", get("/v2/other/app/blobs/" + image), 404, "BLOB_UNKNOWN"));

        // Upload ids that are not sessions, including traversal attempts.
        for (String id : List.of("nope", "..", "%2e%2e", "a".repeat(300), "x%00y", "-", "~")) {
            String path = "/v2/ok/app/blobs/uploads/" + id;
            cases.add(expect("upload " + id + " status", get(path), 404, "BLOB_UPLOAD_UNKNOWN"));
            cases.add(expect("upload " + id + " patch", request("PATCH", path, bytes("abc")), 404, "BLOB_UPLOAD_UNKNOWN"));
            cases.add(expect("upload " + id + " put", request("PUT", path + "?digest=" + absent, bytes("abc")), 404,
                    "BLOB_UPLOAD_UNKNOWN"));
            cases.add(expect("upload " + id + " cancel", request("DELETE", path, new byte[0]), 404, "BLOB_UPLOAD_UNKNOWN"));
        }
        for (String id : List.of("..%2F..%2Fblobs", "../x", "a%2Fb")) {
            cases.add(expect("upload id with a slash " + id, get("/v2/ok/app/blobs/uploads/" + id), 404, "UNSUPPORTED"));
            cases.add(expect("upload id with a slash, put " + id, request("PUT", "/v2/ok/app/blobs/uploads/" + id
                    + "?digest=" + absent, bytes("abc")), 404, "UNSUPPORTED"));
        }
        cases.add(expect("upload of another repository", get("/v2/other/app/blobs/uploads/" + upload), 404,
                "BLOB_UPLOAD_UNKNOWN"));

        // Content-Range of a chunk: malformed (400) or not where the session ends (416); nothing written.
        for (String range : List.of("abc", "-1-4", "0-", "-", "bytes=x-y", "1-0x10", "0-1-2", "\u00ff-1", "0 - a")) {
            cases.add(expect("content-range " + range, request("PATCH", uploadPath, bytes("abcd"),
                    "Content-Range", range), 400, "BLOB_UPLOAD_INVALID"));
        }
        for (String range : List.of("5-3", "1-4", "100-103", "99999999999999999999-1")) {
            int status = range.startsWith("9999") ? 400 : 416;
            cases.add(expect("content-range " + range, request("PATCH", uploadPath, bytes("abcd"),
                    "Content-Range", range), status, status == 400 ? "BLOB_UPLOAD_INVALID" : "BLOB_UPLOAD_INVALID"));
        }
        cases.add(expect("content-range longer than body", request("PATCH", uploadPath, bytes("abcd"),
                "Content-Range", "0-9"), 416, "BLOB_UPLOAD_INVALID"));

        // Completing uploads with wrong or missing digests stores nothing.
        cases.add(expect("complete without digest", request("PUT", uploadPath, bytes("abc")), 400, "DIGEST_INVALID"));
        for (String digest : List.of(absent, "sha256:zz", "nonsense", "sha256:" + "a".repeat(63))) {
            cases.add(expect("monolithic put digest " + digest, request("POST", "/v2/ok/app/blobs/uploads/?digest="
                    + digest, bytes("some bytes")), 400, "DIGEST_INVALID"));
        }

        // Manifests: broken JSON, nesting, encodings, sizes, types, references.
        String manifestPath = "/v2/ok/app/manifests/bad";
        List<String> badManifests = List.of("", "not json", "[]", "null", "42", "\"s\"", "{", "{\"schemaVersion\":2",
                "{\"schemaVersion\":1}", "{\"schemaVersion\":\"2\"}", "{\"schemaVersion\":2}",
                "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:zz\",\"size\":1,\"mediaType\":\"x\"},\"layers\":[]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + absent + "\",\"size\":-1,\"mediaType\":\"x\"},\"layers\":[]}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + absent + "\",\"size\":1,\"mediaType\":\"x\"},\"layers\":{}}",
                "[".repeat(10_000) + "]".repeat(10_000),
                "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000),
                "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"layers\":[" + "{},".repeat(1000) + "{}]}");
        for (int i = 0; i < badManifests.size(); i++) {
            cases.add(expect("manifest #" + i, request("PUT", manifestPath, bytes(badManifests.get(i)),
                    "Content-Type", OCI_MANIFEST), 400, "MANIFEST_INVALID"));
        }
        byte[] invalidUtf8 = concat(bytes("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"x\":\""),
                new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, bytes("\"}"));
        cases.add(expect("manifest with invalid UTF-8", request("PUT", manifestPath, invalidUtf8,
                "Content-Type", OCI_MANIFEST), 400, "MANIFEST_INVALID"));
        String unknownLayer = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + absent + "\",\"size\":2},\"layers\":[]}";
        cases.add(expect("manifest of unknown blobs", request("PUT", manifestPath, bytes(unknownLayer),
                "Content-Type", OCI_MANIFEST), 400, "MANIFEST_BLOB_UNKNOWN"));
        cases.add(expect("manifest put by the wrong digest", request("PUT", "/v2/ok/app/manifests/" + absent,
                bytes(unknownLayer), "Content-Type", OCI_MANIFEST), 400, "DIGEST_INVALID"));
        cases.add(expect("manifest typed as an index", request("PUT", manifestPath, bytes(unknownLayer),
                "Content-Type", "application/vnd.oci.image.index.v1+json"), 400, "MANIFEST_INVALID"));
        // A Content-Type that is no manifest type says nothing; the body's mediaType decides (and its blobs are absent).
        for (String type : List.of("text/plain", "application/x-unknown", "application/json")) {
            cases.add(expect("manifest as " + type, request("PUT", manifestPath, bytes(unknownLayer),
                    "Content-Type", type), 400, "MANIFEST_BLOB_UNKNOWN"));
        }
        for (String type : List.of("application/vnd.oci.image.layer.v1.tar", "application/x-unknown", "")) {
            cases.add(expect("manifest declaring mediaType " + type, request("PUT", manifestPath, bytes(
                    unknownLayer.replace(OCI_MANIFEST, type)), "Content-Type", OCI_MANIFEST), 400, "MANIFEST_INVALID"));
        }
        cases.add(expect("manifest over the size limit", request("PUT", manifestPath, new byte[300 * 1024],
                "Content-Type", OCI_MANIFEST), 413, "SIZE_INVALID"));

        // Pagination.
        for (String query : List.of("n=-1", "n=abc", "n=99999999999999999999", "n=1.5", "n=", "n=%00")) {
            cases.add(expect("tags " + query, get("/v2/ok/app/tags/list?" + query), 400, "PAGINATION_NUMBER_INVALID"));
            cases.add(expect("catalog " + query, get("/v2/_catalog?" + query), 400, "PAGINATION_NUMBER_INVALID"));
        }

        // Ranges of a download.
        for (String range : List.of("bytes=100000-", "bytes=5-2", "bytes=-0", "bytes=x-y", "bytes=99999999999999999999-")) {
            cases.add(expect("range " + range, request("GET", okBlob + blob, new byte[0], "Range", range), 416,
                    "SIZE_INVALID"));
        }

        // The protocol itself.
        cases.add(expect("garbage request line", bytes("HELLO\r\n\r\n"), 400, "UNSUPPORTED", true));
        cases.add(expect("no version", bytes("GET /v2/\r\n\r\n"), 400, "UNSUPPORTED", true));
        cases.add(expect("unknown method", bytes("BREW /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 405,
                "UNSUPPORTED"));
        cases.add(expect("unknown route", get("/v3/whatever"), 404, "UNSUPPORTED"));
        cases.add(expect("wrong method", request("POST", "/v2/ok/app/tags/list", new byte[0]), 405, "UNSUPPORTED"));
        cases.add(expect("headers too large", bytes("GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                + "\r\n\r\n"), 431, "UNSUPPORTED", true));
        cases.add(expect("request line too long", bytes("GET /v2/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
                414, "UNSUPPORTED", true));
        cases.add(expect("raw non-UTF-8 path", concat(bytes("GET /v2/ok/app/manifests/"), new byte[] {(byte) 0xFF,
                (byte) 0xFE}, bytes(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), 400, "MANIFEST_INVALID"));
        cases.add(expect("header without colon", bytes("GET /v2/ HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n"), 400,
                "UNSUPPORTED", true));
        cases.add(expect("two content lengths", bytes("PUT " + manifestPath + " HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"), 400, "UNSUPPORTED", true));
        cases.add(expect("negative content length", bytes("PUT " + manifestPath + " HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: -5\r\n\r\n"), 400, "UNSUPPORTED", true));
        cases.add(expect("body shorter than its length, then EOF", bytes("PUT " + manifestPath + " HTTP/1.1\r\n"
                + "Host: x\r\nContent-Type: " + OCI_MANIFEST + "\r\nContent-Length: 100\r\n\r\n{\"a\":1}"), -1, null, true));
        cases.add(expect("blob body shorter than its length, then EOF", bytes("PUT " + uploadPath + "?digest=" + absent
                + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly this"), -1, null, true));
        cases.add(expect("bad chunked encoding", bytes("PATCH " + uploadPath + " HTTP/1.1\r\nHost: x\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"), -1, null, true));

        // The admin API's JSON.
        for (String body : List.of("not json", "[]", "{\"reason\":", "{\"reason\":" + "[".repeat(2000) + "]".repeat(2000) + "}")) {
            cases.add(expect("gc pause body " + abbreviate(body), request("POST", "/admin/gc/pause", bytes(body),
                    "Content-Type", "application/json"), 400, "UNSUPPORTED"));
        }
        cases.add(expect("gc run of no id", get("/admin/gc/runs/nope"), 404, "GC_RUN_UNKNOWN"));
        cases.add(expect("gc run id with a slash", get("/admin/gc/runs/..%2F..%2Fetc"), 404, "UNSUPPORTED"));
        return cases;
    }

    private String startUpload(String repository) throws Exception {
        HttpResponse<byte[]> started = api.send("POST", "/v2/" + repository + "/blobs/uploads/", new byte[0]);
        assertEquals(202, started.statusCode());
        String location = started.headers().firstValue("Location").orElseThrow();
        return location.substring(location.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
    }

    /** Every file that holds content or sessions, with its hash, plus what the API lists. */
    private TreeMap<String, String> snapshot() throws Exception {
        TreeMap<String, String> state = new TreeMap<>();
        Path data = registry.dataDir();
        for (String dir : List.of("blobs", "uploads")) {
            Path root = data.resolve(dir);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    state.put(data.relativize(file).toString(), HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
                }
            }
        }
        state.put("api:catalog", new String(api.get("/v2/_catalog").body(), StandardCharsets.UTF_8));
        state.put("api:tags", new String(api.get("/v2/ok/app/tags/list").body(), StandardCharsets.UTF_8));
        state.put("api:other", String.valueOf(api.get("/v2/other/app/tags/list").statusCode()));
        return state;
    }

    private static Case expect(String name, byte[] request, int status, String code) {
        return new Case(name, request, status, code, false);
    }

    private static Case expect(String name, byte[] request, int status, String code, boolean halfClose) {
        return new Case(name, request, status, code, halfClose);
    }

    private static byte[] get(String path) {
        return request("GET", path, new byte[0]);
    }

    /** One request with a body and its exact Content-Length; headers as name, value pairs. */
    private static byte[] request(String method, String path, byte[] body, String... headers) {
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .append("Connection: close\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (body.length > 0 || !method.equals("GET")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        return concat(head.toString().getBytes(StandardCharsets.UTF_8), body);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String abbreviate(String text) {
        return text.length() <= 160 ? text : text.substring(0, 160) + "...";
    }
}
