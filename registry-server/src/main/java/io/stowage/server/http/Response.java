package io.stowage.server.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.stowage.storage.blob.BlobContent;

/**
 * What a handler answers: a status, headers, and a body that is empty, a small byte array, or a
 * range of a stored blob (sent with zero copy where the transport allows). Built on a worker
 * thread, written by {@link ResponseWriter} on the event loop. Not thread-safe while being built.
 */
public final class Response {
    private final int status;
    private final HttpHeaders headers = new DefaultHttpHeaders();
    private Body body = Body.EMPTY;

    private Response(int status) {
        this.status = status;
    }

    public static Response status(int status) {
        return new Response(status);
    }

    public Response header(CharSequence name, Object value) {
        headers.set(name, value);
        return this;
    }

    /** A JSON or other small body; sets Content-Type. */
    public Response bytes(byte[] content, String contentType) {
        this.body = new Body.Bytes(content);
        headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return this;
    }

    /** A range of a blob; the writer closes the content when done. */
    public Response blob(BlobContent content, long offset, long length) {
        this.body = new Body.Blob(content, offset, length);
        return this;
    }

    public int statusCode() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public Body body() {
        return body;
    }

    /** The body of a response. */
    public sealed interface Body {
        Body EMPTY = new Empty();

        /** The number of bytes the body has on the wire (also for HEAD, where it is not sent). */
        long length();

        record Empty() implements Body {
            @Override
            public long length() {
                return 0;
            }
        }

        record Bytes(byte[] content) implements Body {
            @Override
            public long length() {
                return content.length;
            }
        }

        record Blob(BlobContent content, long offset, long length) implements Body {
        }
    }
}
