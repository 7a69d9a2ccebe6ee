package io.stowage.server.http;

import java.nio.ByteBuffer;

/**
 * Where a streaming route puts a request body as it arrives. Called on a worker thread, one
 * call at a time and in order: {@link #write} for each piece, then {@link #finish} once the body
 * is complete, or {@link #abort} if the exchange fails at any point (then never finish).
 */
public interface BodySink {

    /** Consumes all remaining bytes of {@code chunk}; the buffer is released after this returns. */
    void write(ByteBuffer chunk) throws Exception;

    /** The whole body arrived: produce the response. */
    Response finish() throws Exception;

    /** The exchange failed or the client went away: undo or release whatever the sink holds. */
    void abort();

    /** A sink for routes that take no body: ignores the bytes and answers with {@code response}. */
    static BodySink ignoring(java.util.concurrent.Callable<Response> response) {
        return new BodySink() {
            @Override
            public void write(ByteBuffer chunk) {
            }

            @Override
            public Response finish() throws Exception {
                return response.call();
            }

            @Override
            public void abort() {
            }
        };
    }
}
