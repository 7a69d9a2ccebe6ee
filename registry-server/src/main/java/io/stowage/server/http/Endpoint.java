package io.stowage.server.http;

/**
 * What serves one method of one route, and how it takes the request body: buffered whole (up to
 * a limit) or streamed to a
 * {@link BodySink}. Immutable.
 */
public sealed interface Endpoint {

    /**
     * A handler that gets the whole body in memory; bodies over {@code maxBodyBytes} get 413.
     * {@code fastPath} (may be null) is tried first, on the network thread.
     */
    record Buffered(long maxBodyBytes, BufferedHandler handler, FastPath fastPath) implements Endpoint {
    }

    /** A handler that opens a sink and is fed the body as it arrives, with backpressure. */
    record Streaming(StreamingHandler handler) implements Endpoint {
    }

    /** Runs on a worker thread once the body is complete. */
    @FunctionalInterface
    interface BufferedHandler {
        Response handle(RequestContext request, byte[] body) throws Exception;
    }

    /** Runs on a worker thread as soon as the headers arrived. */
    @FunctionalInterface
    interface StreamingHandler {
        BodySink open(RequestContext request) throws Exception;
    }

    /** A handler of a request without a meaningful body (GET, HEAD, DELETE...). */
    @FunctionalInterface
    interface BodilessHandler {
        Response handle(RequestContext request) throws Exception;
    }

    /**
     * An answer from memory, given on the network thread without a hop to a worker: must never
     * block and must change nothing. Returns null whenever it is not sure (then the endpoint's
     * handler runs on a worker as usual); anything it throws is treated the same way, so the
     * worker, not this, produces every error answer.
     */
    @FunctionalInterface
    interface FastPath {
        Response tryAnswer(RequestContext request);
    }

    /** Any request body on a bodiless route is drained and ignored, up to this many bytes. */
    long IGNORED_BODY_LIMIT = 64 * 1024;

    static Endpoint bodiless(BodilessHandler handler) {
        return bodiless(handler, null);
    }

    /** A bodiless endpoint that first tries {@code fastPath} on the network thread. */
    static Endpoint bodiless(BodilessHandler handler, FastPath fastPath) {
        return new Buffered(IGNORED_BODY_LIMIT, (request, body) -> handler.handle(request), fastPath);
    }

    static Endpoint buffered(long maxBodyBytes, BufferedHandler handler) {
        return new Buffered(maxBodyBytes, handler, null);
    }

    static Endpoint streaming(StreamingHandler handler) {
        return new Streaming(handler);
    }
}
