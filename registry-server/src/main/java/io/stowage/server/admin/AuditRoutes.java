package io.stowage.server.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.stowage.audit.AuditChains;
import io.stowage.audit.AuditLog;
import io.stowage.audit.ChainKeys;
import io.stowage.audit.ChainsVerifier;
import io.stowage.audit.PurgeRefusedException;
import io.stowage.audit.ship.SegmentShipper;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.ReplicaId;
import io.stowage.audit.VerifyingKey;
import io.stowage.audit.index.AuditQuery;
import io.stowage.audit.index.ReplicaCursor;
import io.stowage.audit.index.ReplicaIndexes;
import io.stowage.audit.index.ReplicaPage;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
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
 * The audit section of {@code shared/API.md}: queries and verification over every replica's
 * chain in the audit directory, the purge of this replica's old segments, and the public keys an
 * auditor verifies with offline. Thread-safe.
 */
public final class AuditRoutes {
    private final AuditLog auditLog;
    private final ReplicaIndexes index;
    private final AuditChains chains;
    /** Null when audit.ship is not configured. */
    private final SegmentShipper shipper;

    private AuditRoutes(AuditLog auditLog, ReplicaIndexes index, AuditChains chains, SegmentShipper shipper) {
        this.auditLog = auditLog;
        this.index = index;
        this.chains = chains;
        this.shipper = shipper;
    }

    /** @param shipper null when sealed segments are not shipped */
    public static void register(Router router, AuditLog auditLog, ReplicaIndexes index, AuditChains chains,
                                SegmentShipper shipper) {
        AuditRoutes routes = new AuditRoutes(auditLog, index, chains, shipper);
        router.route("/admin/audit/shipping").on(HttpMethod.GET, "audit.shipping", Endpoint.bodiless(routes::shipping));
        router.route("/admin/audit").on(HttpMethod.GET, "audit.query", Endpoint.bodiless(routes::query));
        router.route("/admin/audit/verify").on(HttpMethod.GET, "audit.verify", Endpoint.bodiless(routes::verify));
        router.route("/admin/audit/purge").on(HttpMethod.POST, "audit.purge",
                Endpoint.buffered(AdminJson.MAX_BODY, routes::purge));
        router.route("/admin/audit/public-key").on(HttpMethod.GET, "audit.publicKey", Endpoint.bodiless(routes::publicKey));
    }

    /**
     * {@code GET /admin/audit?repository=&actor=&action=&since=&until=&status=&replica=&limit=&after=},
     * from the index of every chain; each record says which replica's chain holds it.
     */
    private Response query(RequestContext request) {
        AuditQuery query;
        ReplicaCursor after;
        try {
            query = new AuditQuery(request.query("repository"), request.query("actor"), request.query("action"),
                    instant(request, "since"), instant(request, "until"), integer(request, "status"), null,
                    request.query("limit") == null ? AuditQuery.DEFAULT_LIMIT : (int) number(request, "limit"),
                    request.query("replica"));
            after = ReplicaCursor.parse(request.query("after"));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "invalid audit query: " + e.getMessage(), null, 400);
        }
        ReplicaPage page = index.query(query, after);
        List<Map<String, Object>> records = new ArrayList<>();
        for (ReplicaPage.Found found : page.records()) {
            Map<String, Object> record = RecordCodec.toMap(found.record());
            // Records older than replicas do not name one; the chain that holds them does.
            record.putIfAbsent("replica", found.replica());
            records.add(record);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("records", records);
        body.put("next", page.next());
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
     * Signs what this replica wrote so far, then verifies every chain of the directory, this
     * replica's with its own key, the others' with the keys exported beside them (cross-checked
     * against the key ids the replicas recorded of each other). Records written during the walk
     * are past the checkpoints and accepted unsigned; {@code head.json} still proves that nothing
     * up to a checkpoint was cut.
     */
    private Response verify(RequestContext request) throws IOException {
        auditLog.checkpointNow().join();
        String own = auditLog.settings().replica();
        ChainKeys keys = new ChainKeys(Map.of(own, auditLog.verifyingKey()), null, null);
        return AdminJson.ok(new ChainsVerifier(keys, true).verify(chains, own).toJson());
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
        List<String> purged;
        try {
            purged = auditLog.purge(cutoff, request.actor());
        } catch (PurgeRefusedException e) {
            throw new RegistryException(ErrorCode.AUDIT_NOT_SHIPPED, e.getMessage(),
                    Map.of("segments", e.segments()), 409);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("purged", purged);
        answer.put("retention", auditLog.settings().retention().toString());
        return AdminJson.ok(answer);
    }

    /** {@code GET /admin/audit/shipping}: what this replica shipped to the archive and what waits. */
    private Response shipping(RequestContext request) throws IOException {
        if (shipper == null) {
            Map<String, Object> off = new LinkedHashMap<>();
            off.put("configured", false);
            return AdminJson.ok(off);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("configured", true);
        status.putAll(shipper.status());
        return AdminJson.ok(status);
    }

    /** This replica's public key, or with {@code ?replica=} the one exported beside that replica's chain. */
    private Response publicKey(RequestContext request) throws IOException {
        String replica = request.query("replica");
        VerifyingKey key = auditLog.verifyingKey();
        if (replica != null && !replica.equals(auditLog.settings().replica())) {
            if (!ReplicaId.isValid(replica)) {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "invalid replica: " + replica, null, 400);
            }
            key = ChainKeys.exported(chains.chainDirectory(replica));
            if (key == null) {
                throw new RegistryException(ErrorCode.NAME_UNKNOWN, "no audit chain of replica " + replica, null, 404);
            }
        }
        return Response.status(200).bytes(key.toPem().getBytes(StandardCharsets.US_ASCII), "application/x-pem-file");
    }
}
