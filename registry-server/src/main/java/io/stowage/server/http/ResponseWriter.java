package io.stowage.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedNioStream;
import io.stowage.storage.blob.BlobContent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * Writes a {@link Response} to the channel: headers common to every answer, {@code Content-Length}
 * always, and blob bodies with zero copy ({@link DefaultFileRegion}) on plain connections, or as
 * chunks read from the store where the bytes must pass through user space (TLS, remote stores).
 * Runs on the event loop.
 */
final class ResponseWriter {
    static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
    /** Names the request in the audit log, so a client's report can be matched to its record. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final int CHUNK_SIZE = 64 * 1024;

    private ResponseWriter() {
    }

    /** Writes the response; the returned future completes when the last byte is flushed or the write failed. */
    static ChannelFuture write(ChannelHandlerContext ctx, RequestContext request, Response response, boolean keepAlive)
            throws IOException {
        HttpResponseStatus status = HttpResponseStatus.valueOf(response.statusCode());
        response.headers().set(API_VERSION_HEADER, "registry/2.0");
        if (request != null) {
            response.headers().set(REQUEST_ID_HEADER, request.requestId());
        }
        if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.body().length());
        }
        response.headers().set(HttpHeaderNames.CONNECTION,
                keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        boolean head = request != null && request.isHead();

        if (response.body() instanceof Response.Body.Blob blob) {
            if (head) {
                closeQuietly(blob.content());
                return writeFull(ctx, status, response, null);
            }
            return writeBlob(ctx, status, response, blob);
        }
        byte[] bytes = response.body() instanceof Response.Body.Bytes b && !head ? b.content() : null;
        return writeFull(ctx, status, response, bytes);
    }

    private static ChannelFuture writeFull(ChannelHandlerContext ctx, HttpResponseStatus status, Response response,
                                           byte[] bytes) {
        DefaultFullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                bytes == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        full.headers().set(response.headers());
        return ctx.writeAndFlush(full);
    }

    private static ChannelFuture writeBlob(ChannelHandlerContext ctx, HttpResponseStatus status, Response response,
                                           Response.Body.Blob blob) throws IOException {
        BlobContent content = blob.content();
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        head.headers().set(response.headers());
        ctx.write(head);
        Optional<FileChannel> file = content.fileChannel();
        boolean tls = ctx.pipeline().get(SslHandler.class) != null;
        ChannelFuture done;
        if (file.isPresent() && !tls) {
            ctx.write(new DefaultFileRegion(file.get(), blob.offset(), blob.length()));
            done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (file.isEmpty()) {
            // A remote store: its reads may block for as long as the network wants, so they run on a
            // reader thread and the event loop only takes chunks that are ready.
            done = ctx.writeAndFlush(new HttpChunkedInput(
                    new PrefetchedChunks(content.read(blob.offset(), blob.length()), blob.length(), ctx.channel())));
        } else {
            // Under TLS the bytes must be encrypted in user space, and a remote store has no file: read
            // in chunks, pulled by the ChunkedWriteHandler as the socket drains. Through a range channel
            // rather than Netty's ChunkedNioFile, because that one would send empty chunks forever
            // from a file shorter than recorded, where the range channel fails the response.
            ChunkedNioStream chunks = new ChunkedNioStream(content.read(blob.offset(), blob.length()), CHUNK_SIZE);
            done = ctx.writeAndFlush(new HttpChunkedInput(chunks));
        }
        done.addListener(f -> closeQuietly(content));
        return done;
    }

    private static void closeQuietly(BlobContent content) {
        try {
            content.close();
        } catch (IOException ignored) {
            // The response is already decided; a failed close of a read-only file changes nothing.
        }
    }
}
