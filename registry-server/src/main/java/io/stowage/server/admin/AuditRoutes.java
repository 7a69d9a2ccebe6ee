package io.stowage.server.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditVerifier;
import io.stowage.audit.VerifyReport;
import io.stowage.server.http.Endpoint;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.Response;
import io.stowage.server.http.Router;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The audit section of {@code shared/API.md}: verification of the live log and the public key
 * an auditor verifies with offline. Thread-safe.
 */
public final class AuditRoutes {
    private final AuditLog auditLog;

    private AuditRoutes(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    public static void register(Router router, AuditLog auditLog) {
        AuditRoutes routes = new AuditRoutes(auditLog);
        router.route("/admin/audit/verify").on(HttpMethod.GET, "audit.verify", Endpoint.bodiless(routes::verify));
        router.route("/admin/audit/public-key").on(HttpMethod.GET, "audit.publicKey", Endpoint.bodiless(routes::publicKey));
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

    private Response publicKey(RequestContext request) {
        return Response.status(200).bytes(auditLog.verifyingKey().toPem().getBytes(StandardCharsets.US_ASCII),
                "application/x-pem-file");
    }
}
