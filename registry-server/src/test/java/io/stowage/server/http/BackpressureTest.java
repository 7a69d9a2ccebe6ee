package io.stowage.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatcher asks the socket for more bytes only when the body sink has caught up: while a
 * write to "disk" is blocked, no read is requested, however much the client would send.
 */
class BackpressureTest {
    private final WorkerPool workers = new WorkerPool(2, 16);

    @AfterEach
    void stop() throws InterruptedException {
        workers.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void noReadIsRequestedWhileTheSinkIsBehind() throws Exception {
        CountDownLatch diskReleased = new CountDownLatch(1);
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        AtomicLong written = new AtomicLong();
        Router router = new Router();
        router.route("/upload").on(HttpMethod.PATCH, "test.upload", Endpoint.streaming(request -> new BodySink() {
            @Override
            public void write(ByteBuffer chunk) throws Exception {
                firstWriteStarted.countDown();
                assertTrue(diskReleased.await(10, TimeUnit.SECONDS));
                written.addAndGet(chunk.remaining());
                chunk.position(chunk.limit());
            }

            @Override
            public Response finish() {
                return Response.status(202);
            }

            @Override
            public void abort() {
            }
        }));
        AtomicInteger reads = new AtomicInteger();
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                reads.incrementAndGet();
                ctx.read();
            }
        });
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new RequestDispatcher(router, workers, new ExchangeTracker(), RequestAuditor.off(), null, RequestGuard.OPEN,
                new UploadSlots(100), TrustedProxies.NONE));

        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PATCH, "/upload");
        request.headers().set("Transfer-Encoding", "chunked");
        channel.writeInbound(request, new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[1000])));
        // The sink opens on a worker and is handed back through the (embedded) event loop: drive it.
        runUntil(channel, () -> firstWriteStarted.getCount() == 0, 10_000);
        assertEquals(0, firstWriteStarted.getCount(), "the first chunk never reached the sink");
        runUntil(channel, () -> false, 200);
        int readsWhileBlocked = reads.get();

        // More bytes already in flight arrive while the disk is stuck: still no new read request.
        channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[500])));
        runUntil(channel, () -> false, 200);
        assertEquals(readsWhileBlocked, reads.get(), "a read was requested while the sink was blocked");

        diskReleased.countDown();
        runUntil(channel, () -> reads.get() > readsWhileBlocked, 5_000);
        assertTrue(reads.get() > readsWhileBlocked, "no read was requested after the sink caught up");

        channel.writeInbound(new DefaultLastHttpContent());
        runUntil(channel, () -> channel.outboundMessages().size() > 0, 5_000);
        FullHttpResponse response = channel.readOutbound();
        assertEquals(202, response.status().code());
        assertEquals(1500, written.get());
        response.release();
        channel.finishAndReleaseAll();
    }

    /** Runs the embedded event loop's tasks until {@code done} or the time is up. */
    private static void runUntil(EmbeddedChannel channel, BooleanSupplier done, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            channel.runPendingTasks();
            Thread.sleep(5);
        }
        channel.runPendingTasks();
    }
}
