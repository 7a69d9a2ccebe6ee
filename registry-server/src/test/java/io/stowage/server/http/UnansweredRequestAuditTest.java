package io.stowage.server.http;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.stowage.audit.AuditLog;
import io.stowage.audit.AuditRecord;
import io.stowage.audit.AuditSettings;
import io.stowage.audit.RecordCodec;
import io.stowage.audit.SegmentFiles;
import io.stowage.audit.SigningKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that hangs up while its handler is still running gets no answer, but its request is
 * recorded all the same, once (status 499): every request lands in the audit log.
 */
class UnansweredRequestAuditTest {
    private final WorkerPool workers = new WorkerPool(2, 16);

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws InterruptedException {
        workers.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void aReadWhoseClientLeftDuringTheHandlerIsRecordedOnce() throws Exception {
        CountDownLatch handlerRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch handlerDone = new CountDownLatch(1);
        Router router = new Router();
        router.route("/slow").on(HttpMethod.GET, "test.slow", Endpoint.bodiless(request -> {
            handlerRunning.countDown();
            assertTrue(release.await(10, TimeUnit.SECONDS));
            handlerDone.countDown();
            return Response.status(200);
        }));
        AuditLog log = AuditLog.open(AuditSettings.defaults(dir.resolve("audit")),
                SigningKey.loadOrCreate(dir.resolve("key.pem")), Clock.systemUTC(), null);
        try {
            EmbeddedChannel channel = new EmbeddedChannel(new RequestDispatcher(router, workers, new ExchangeTracker(),
                    new RequestAuditor(log, true, Clock.systemUTC()), null, RequestGuard.OPEN,
                    new UploadSlots(100), TrustedProxies.NONE));
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/slow"));
            assertTrue(handlerRunning.await(10, TimeUnit.SECONDS));
            channel.close(); // the client hangs up while the handler runs
            release.countDown();
            assertTrue(handlerDone.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 200 && records(dir, "test.slow").isEmpty(); i++) {
                channel.runPendingTasks();
                Thread.sleep(10);
            }
        } finally {
            log.close();
        }
        List<AuditRecord> recorded = records(dir, "test.slow");
        assertEquals(1, recorded.size(), recorded.toString());
        assertEquals(RequestAuditor.CLIENT_CLOSED, recorded.get(0).entry().status());
    }

    private static List<AuditRecord> records(Path dir, String action) throws Exception {
        List<AuditRecord> found = new ArrayList<>();
        for (Path segment : SegmentFiles.list(dir.resolve("audit"))) {
            for (SegmentFiles.Line line : SegmentFiles.readAll(segment)) {
                AuditRecord record = RecordCodec.fromMap(RecordCodec.parse(line.bytes()));
                if (action.equals(record.entry().action())) {
                    found.add(record);
                }
            }
        }
        return found;
    }
}
