package io.stowage.server.http;

/**
 * What serves one method of one route, and how it takes the request body: buffered whole (up to
 * a limit) or streamed to a
 * {@link BodySink}. Immutable.
 */
public sealed interface Endpoint {

    /** A handler that gets the whole body in memory; bodies over {@code maxBodyBytes} get 413. */
    record Buffered(long maxBodyBytes, BufferedHandler handler) implements Endpoint {
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

    /** Any request body on a bodiless route is drained and ignored, up to this many bytes. */
    long IGNORED_BODY_LIMIT = 64 * 1024;

    static Endpoint bodiless(BodilessHandler handler) {
        return new Buffered(IGNORED_BODY_LIMIT, (request, body) -> handler.handle(request));
    }

    static Endpoint buffered(long maxBodyBytes, BufferedHandler handler) {
        return new Buffered(maxBodyBytes, handler);
    }

    static Endpoint streaming(StreamingHandler handler) {
        return new Streaming(handler);
    }
}
