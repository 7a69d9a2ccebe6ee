package io.stowage.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.stowage.storage.error.RegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request and its response on one connection: receives the body, runs the endpoint on the
 * worker pool, writes the answer, and reports back to the {@link RequestDispatcher}.
 *
 * <p>All fields are confined to the channel's event loop; work on the pool hands its outcome back
 * with {@code ctx.executor().execute}. A response is written at most once. If it is written
 * before the whole body arrived (an early error) the connection closes afterwards, since the rest
 * of the body was never read.
 */
abstract class Exchange {
    /** Called once the response is on the wire. */
    interface Finisher {
        void finished(ChannelHandlerContext ctx, Exchange exchange, boolean keepAlive);
    }

    protected final ChannelHandlerContext ctx;
    protected final RequestContext request;
    private final boolean keepAlive;
    private final Finisher finisher;
    private final ExchangeTracker tracker;
    protected final RequestAuditor auditor;
    /** Null when the access log is off. */
    private final AccessLog accessLog;
    private final long startNanos = System.nanoTime();
    protected boolean lastReceived;
    protected boolean responded;
    protected boolean aborted;
    private boolean tracked = true;
    /** The request's audit record is written or on its way; each request gets exactly one. */
    private boolean recorded;
    /** A handler's outcome is still to come; it will record the request itself. */
    private boolean handlerPending;
    protected long bytesIn;

    Exchange(ChannelHandlerContext ctx, RequestContext request, boolean keepAlive, Finisher finisher,
             ExchangeTracker tracker, RequestAuditor auditor, AccessLog accessLog) {
        this.ctx = ctx;
        this.accessLog = accessLog;
        this.request = request;
        this.keepAlive = keepAlive;
        this.finisher = finisher;
        this.tracker = tracker;
        this.auditor = auditor;
        tracker.started();
    }

    /** Called once, right after the request headers arrived. */
    abstract void start();

    /** A piece of the body; this exchange owns {@code content} and must release it. */
    abstract void onContent(HttpContent content);

    /** Whether the dispatcher should read more from the socket for this exchange. */
    abstract boolean wantsInput();

    /** The connection closed: release what the exchange holds. */
    void abort() {
        if (!responded && !handlerPending) {
            recordUnanswered();
        }
        aborted = true;
        responded = true;
        untrack();
    }

    /**
     * Hands a worker's outcome back to the event loop and responds with it; a mutation's answer
     * waits for its audit record to be durable (and becomes 503 if it cannot be).
     */
    protected final void respondWhenDone(CompletableFuture<Response> outcome) {
        long receivedBytes = bytesIn;
        boolean recordsFirst = auditor.recordsBeforeResponse(request);
        handlerPending = true;
        CompletableFuture<Response> answer =
                outcome.handle((response, failure) -> failure == null ? response : ErrorResponses.from(failure, request));
        if (recordsFirst) {
            answer = answer.thenCompose(response -> auditor.beforeResponse(request, response, receivedBytes, startNanos));
        }
        answer.whenComplete((response, failure) -> ctx.executor().execute(() -> {
            handlerPending = false;
            recorded |= recordsFirst;
            respond(failure == null ? response : ErrorResponses.from(failure, request), true);
        }));
    }

    /** Writes the response unless one was written or the connection is gone. */
    final void respond(Response response, boolean allowKeepAlive) {
        if (responded) {
            // The client left while the handler ran: its answer is dropped, the request still recorded.
            releaseResponse(response);
            recordUnanswered();
            return;
        }
        responded = true;
        boolean keep = allowKeepAlive && keepAlive && lastReceived;
        ChannelFuture written;
        try {
            written = ResponseWriter.write(ctx, request, response, keep);
        } catch (Exception e) {
            LoggerFactory.getLogger(Exchange.class).warn("failed to write response path={}", request.path(), e);
            recordUnanswered();
            untrack();
            ctx.close();
            return;
        }
        written.addListener(done -> {
            logAccess(response, done.isSuccess());
            if (!recorded) {
                recorded = true;
                auditor.afterResponse(request, response, bytesIn, startNanos, done.isSuccess());
            }
            untrack();
            finisher.finished(ctx, this, keep && done.isSuccess());
        });
    }

    /** Records a request that got no answer on the wire, unless it is recorded already. */
    private void recordUnanswered() {
        if (!recorded) {
            recorded = true;
            auditor.aborted(request, bytesIn, startNanos);
        }
    }

    protected final void fail(Throwable failure) {
        respond(ErrorResponses.from(failure, request), true);
    }

    private void untrack() {
        if (tracked) {
            tracked = false;
            tracker.ended();
        }
    }

    private void logAccess(Response response, boolean sent) {
        if (accessLog != null) {
            accessLog.request(request.method().name(), request.path(), response.statusCode(), bytesIn,
                    response.body().length(), (System.nanoTime() - startNanos) / 1_000, request.remoteAddress(), sent);
        }
    }

    static void releaseResponse(Response response) {
        if (response != null && response.body() instanceof Response.Body.Blob blob) {
            try {
                blob.content().close();
            } catch (Exception ignored) {
                // Nothing was sent; closing a read-only handle cannot lose data.
            }
        }
    }

    /** An exchange whose body is gathered in memory up to a limit, then handled in one call. */
    static final class Buffered extends Exchange {
        private final Endpoint.Buffered endpoint;
        private final WorkerPool workers;
        private final RequestGuard guard;
        private CompositeByteBuf body;

        Buffered(ChannelHandlerContext ctx, RequestContext request, boolean keepAlive, Endpoint.Buffered endpoint,
                 WorkerPool workers, RequestGuard guard, Finisher finisher, ExchangeTracker tracker,
                 RequestAuditor auditor, AccessLog accessLog) {
            super(ctx, request, keepAlive, finisher, tracker, auditor, accessLog);
            this.endpoint = endpoint;
            this.workers = workers;
            this.guard = guard;
        }

        @Override
        void start() {
            body = ctx.alloc().compositeBuffer(1024);
        }

        @Override
        void onContent(HttpContent content) {
            ByteBuf bytes = content.content();
            bytesIn += bytes.readableBytes();
            if (responded || body == null) {
                content.release();
                return;
            }
            if (body.readableBytes() + (long) bytes.readableBytes() > endpoint.maxBodyBytes()) {
                content.release();
                releaseBody();
                respond(ErrorResponses.from(RegistryException.sizeInvalidWithStatus(
                        "request body larger than " + endpoint.maxBodyBytes() + " bytes", 413), request), false);
                return;
            }
            body.addComponent(true, bytes);
            if (content instanceof LastHttpContent) {
                lastReceived = true;
                byte[] complete = new byte[body.readableBytes()];
                body.readBytes(complete);
                releaseBody();
                Response fast = tryFastPath();
                if (fast != null) {
                    respond(fast, true);
                    return;
                }
                respondWhenDone(workers.submit(() -> RequestAuditor.during(request, () -> {
                    // Who may do this first: a refused caller learns nothing, not even that the log is full.
                    guard.check(request);
                    auditor.admit(request);
                    return endpoint.handler().handle(request, complete);
                })));
            }
        }

        /**
         * The endpoint's answer from memory, or null to go to a worker; see {@link Endpoint.FastPath}.
         * Only for a caller the guard knows to be allowed without blocking (a cached credential):
         * a password check or a refusal is the worker's job.
         */
        private Response tryFastPath() {
            if (endpoint.fastPath() == null || auditor.recordsBeforeResponse(request)) {
                return null;
            }
            try {
                if (!guard.allowsWithoutBlocking(request)) {
                    return null;
                }
                return endpoint.fastPath().tryAnswer(request);
            } catch (RuntimeException e) {
                return null;
            }
        }

        @Override
        boolean wantsInput() {
            return !lastReceived && !responded;
        }

        @Override
        void abort() {
            super.abort();
            releaseBody();
        }

        private void releaseBody() {
            if (body != null) {
                body.release();
                body = null;
            }
        }
    }

    /**
     * An exchange whose body streams to a {@link BodySink} on the worker pool. At most one batch
     * of chunks is being written at a time, and the socket is read again only when that batch
     * is on disk: the heap holds one read's worth of body, whatever the blob's size.
     */
    static final class Streamed extends Exchange {
        private final Endpoint.StreamingHandler handler;
        private final WorkerPool workers;
        private final RequestGuard guard;
        private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
        private BodySink sink;
        /** The last task handed to the pool for this sink; an abort runs after it, never beside it. */
        private CompletableFuture<?> lastTask = CompletableFuture.completedFuture(null);
        private boolean busy;
        private boolean finishing;

        Streamed(ChannelHandlerContext ctx, RequestContext request, boolean keepAlive,
                 Endpoint.StreamingHandler handler, WorkerPool workers, RequestGuard guard, Finisher finisher,
                 ExchangeTracker tracker, RequestAuditor auditor, AccessLog accessLog) {
            super(ctx, request, keepAlive, finisher, tracker, auditor, accessLog);
            this.handler = handler;
            this.workers = workers;
            this.guard = guard;
        }

        @Override
        void start() {
            busy = true;
            workers.submit(() -> RequestAuditor.during(request, () -> {
                // Before a byte of the body is read: a refused upload costs no disk.
                guard.check(request);
                auditor.admit(request);
                return handler.open(request);
            })).whenComplete((opened, failure) -> ctx.executor().execute(() -> {
                busy = false;
                if (failure != null) {
                    releasePending();
                    fail(failure);
                    return;
                }
                if (aborted) {
                    workers.execute(opened::abort);
                    return;
                }
                sink = opened;
                pump();
            }));
        }

        @Override
        void onContent(HttpContent content) {
            bytesIn += content.content().readableBytes();
            if (responded) {
                content.release();
                return;
            }
            if (content.content().isReadable()) {
                pending.add(content.content());
            } else {
                content.release();
            }
            if (content instanceof LastHttpContent) {
                lastReceived = true;
            }
            pump();
        }

        /** Moves the exchange forward: write what is pending, finish when all arrived, or ask for more. */
        private void pump() {
            if (responded || sink == null || busy) {
                return;
            }
            if (!pending.isEmpty()) {
                busy = true;
                List<ByteBuf> batch = new ArrayList<>(pending);
                pending.clear();
                BodySink target = sink;
                CompletableFuture<Void> write = workers.submit(() -> writeBatch(target, batch));
                lastTask = write;
                write.whenComplete((ok, failure) -> ctx.executor().execute(() -> {
                    busy = false;
                    if (failure != null) {
                        abortSink();
                        releasePending();
                        fail(failure);
                    } else {
                        pump();
                    }
                }));
            } else if (lastReceived) {
                if (!finishing) {
                    finishing = true;
                    busy = true;
                    BodySink finishing = sink;
                    respondWhenDone(workers.submit(() -> RequestAuditor.during(request, finishing::finish)));
                }
            } else {
                ctx.read();
            }
        }

        private static Void writeBatch(BodySink sink, List<ByteBuf> batch) throws Exception {
            try {
                for (ByteBuf buf : batch) {
                    for (ByteBuffer nio : buf.nioBuffers()) {
                        sink.write(nio);
                    }
                }
            } finally {
                batch.forEach(ByteBuf::release);
            }
            return null;
        }

        @Override
        boolean wantsInput() {
            return !lastReceived && !responded && sink != null && !busy && pending.isEmpty();
        }

        @Override
        void abort() {
            boolean wasFinishing = finishing;
            super.abort();
            releasePending();
            if (!wasFinishing) {
                abortSink();
            }
        }

        private void abortSink() {
            BodySink target = sink;
            sink = null;
            if (target != null) {
                lastTask.whenComplete((ignored, failure) -> workers.execute(target::abort));
            }
        }

        private void releasePending() {
            pending.forEach(ByteBuf::release);
            pending.clear();
        }
    }

    /** A request that could not even be parsed: answered at once, connection closed. */
    static final class Rejected extends Exchange {
        Rejected(ChannelHandlerContext ctx, RequestContext request, Finisher finisher, ExchangeTracker tracker,
                 RequestAuditor auditor, AccessLog accessLog) {
            super(ctx, request, false, finisher, tracker, auditor, accessLog);
        }

        @Override
        void start() {
        }

        @Override
        void onContent(HttpContent content) {
            content.release();
        }

        @Override
        boolean wantsInput() {
            return false;
        }
    }
}
