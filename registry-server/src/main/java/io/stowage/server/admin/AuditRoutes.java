package io.stowage.server.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.index.AuditIndex;
import io.stowage.audit.index.AuditPage;
import io.stowage.audit.index.AuditQuery;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.audit.AuditVerifier;
import io.stowage.audit.VerifyReport;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit section of {@code shared/API.md}: verification of the live log and the public key
 * an auditor verifies with offline. Thread-safe.
 */
public final class AuditRoutes {
    private final AuditLog auditLog;
    private final AuditIndex index;

    private AuditRoutes(AuditLog auditLog, AuditIndex index) {
        this.auditLog = auditLog;
        this.index = index;
    }

    public static void register(Router router, AuditLog auditLog, AuditIndex index) {
        AuditRoutes routes = new AuditRoutes(auditLog, index);
        router.route("/admin/audit").on(HttpMethod.GET, "audit.query", Endpoint.bodiless(routes::query));
        router.route("/admin/audit/verify").on(HttpMethod.GET, "audit.verify", Endpoint.bodiless(routes::verify));
        router.route("/admin/audit/purge").on(HttpMethod.POST, "audit.purge",
                Endpoint.buffered(AdminJson.MAX_BODY, routes::purge));
        router.route("/admin/audit/public-key").on(HttpMethod.GET, "audit.publicKey", Endpoint.bodiless(routes::publicKey));
    }

    /** {@code GET /admin/audit?repository=&actor=&action=&since=&until=&status=&limit=&after=}, from the index. */
    private Response query(RequestContext request) {
        AuditQuery query;
        try {
            query = new AuditQuery(request.query("repository"), request.query("actor"), request.query("action"),
                    instant(request, "since"), instant(request, "until"), integer(request, "status"),
                    request.query("after") == null ? null : (long) number(request, "after"),
                    request.query("limit") == null ? AuditQuery.DEFAULT_LIMIT : (int) number(request, "limit"));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "invalid audit query: " + e.getMessage(), null, 400);
        }
        AuditPage page = index.query(query);
        List<Map<String, Object>> records = new ArrayList<>();
        for (AuditRecord record : page.records()) {
            records.add(RecordCodec.toMap(record));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("records", records);
        body.put("next", page.next() == null ? null : String.valueOf(page.next()));
        return AdminJson.ok(body);
    }

    private static Instant instant(RequestContext request, String name) {
        String value = request.query(name);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an RFC 3339 UTC time such as 2026-01-01T00:00:00Z, not '"
                    + value + "'");
        }
    }

    private static Integer integer(RequestContext request, String name) {
        return request.query(name) == null ? null : (int) number(request, name);
    }

    private static long number(RequestContext request, String name) {
        String value = request.query(name);
        try {
            long parsed = Long.parseLong(value);
            if (parsed > Integer.MAX_VALUE && !name.equals("after")) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
        }
    }

    /**
     * Signs what is written so far, then verifies the whole directory. Records written during the
     * walk are past that checkpoint and are accepted unsigned; {@code head.json} still proves that
     * nothing up to the checkpoint was cut.
     */
    private Response verify(RequestContext request) throws IOException {
        auditLog.checkpointNow().join();
        VerifyReport report = new AuditVerifier(auditLog.verifyingKey(), true).verify(auditLog.settings().directory());
        return AdminJson.ok(report.toJson());
    }

    /**
     * {@code POST /admin/audit/purge {"olderThan": "<RFC 3339>"}}: deletes sealed segments older than
     * that and than the retention; the log records the purge before any file goes.
     */
    private Response purge(RequestContext request, byte[] body) throws IOException {
        String olderThan = AdminJson.optionalJson(body).path("olderThan").asText(null);
        if (olderThan == null) {
            throw new RegistryException(ErrorCode.UNSUPPORTED,
                    "body must be {\"olderThan\": \"<RFC 3339 time>\"}", null, 400);
        }
        Instant cutoff;
        try {
            cutoff = Instant.parse(olderThan);
        } catch (DateTimeParseException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "olderThan must be an RFC 3339 UTC time, not '"
                    + olderThan + "'", null, 400);
        }
        List<String> purged = auditLog.purge(cutoff, request.actor());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("purged", purged);
        answer.put("retention", auditLog.settings().retention().toString());
        return AdminJson.ok(answer);
    }

    private Response publicKey(RequestContext request) {
        return Response.status(200).bytes(auditLog.verifyingKey().toPem().getBytes(StandardCharsets.US_ASCII),
                "application/x-pem-file");
    }
}
