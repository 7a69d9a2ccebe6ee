package io.stowage.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.stowage.storage.error.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The per-connection handler: reads one request at a time, routes it, feeds its body to an
 * {@link Exchange}, and reads the next request only after the response is written.
 *
 * <p>The channel runs with auto-read off: this handler asks for bytes ({@code ctx.read()}) only
 * when the current exchange can take them, which is how a slow disk slows a fast client down
 * instead of filling the heap. Event-loop confined.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final Router router;
    private final WorkerPool workers;
    private final ExchangeTracker tracker;
    private final RequestAuditor auditor;
    private final AccessLog accessLog;
    private final RequestGuard guard;
    private final UploadSlots uploadSlots;
    private final TrustedProxies trustedProxies;
    private Exchange current;
    /** Whether {@link #current} holds one of the {@link UploadSlots}. */
    private boolean holdsUploadSlot;

    RequestDispatcher(Router router, WorkerPool workers, ExchangeTracker tracker, RequestAuditor auditor,
                      AccessLog accessLog, RequestGuard guard, UploadSlots uploadSlots, TrustedProxies trustedProxies) {
        this.router = router;
        this.workers = workers;
        this.tracker = tracker;
        this.auditor = auditor;
        this.accessLog = accessLog;
        this.guard = guard;
        this.uploadSlots = uploadSlots;
        this.trustedProxies = trustedProxies;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            if (current != null) {
                // A pipelined request while one is in progress: we never read ahead, so this is a
                // client that sent a new request before the old body ended. Not recoverable.
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            current = begin(ctx, request);
        }
        if (msg instanceof HttpContent content) {
            if (current == null) {
                content.release();
                return;
            }
            current.onContent(content);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current == null || current.wantsInput()) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (current != null) {
            current.abort();
            current = null;
        }
        releaseUploadSlot();
        super.channelInactive(ctx);
    }

    private void releaseUploadSlot() {
        if (holdsUploadSlot) {
            holdsUploadSlot = false;
            uploadSlots.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection failed remote={}", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private Exchange begin(ChannelHandlerContext ctx, HttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            // Docker probes with a TLS ClientHello before falling back to plain HTTP: routine, so debug.
            String reason = printable(String.valueOf(cause.getMessage()));
            log.debug("malformed request remote={} reason={}", ctx.channel().remoteAddress(), reason);
            // A request line too long is a URI too long (414); too many header bytes are 431.
            int status = cause instanceof TooLongHttpLineException ? 414 : cause instanceof TooLongFrameException ? 431 : 400;
            RequestContext requestContext = new RequestContext(request.method(), new QueryStringDecoder("/"),
                    request.headers(), Map.of(), trustedProxies.clientAddress(peer(ctx), request.headers()), RequestIds.next(),
                    "request.malformed");
            Exchange failed = new Exchange.Rejected(ctx, requestContext, this::finished, tracker, auditor, accessLog);
            failed.respond(ErrorResponses.of(ErrorCode.UNSUPPORTED, "malformed request: " + reason, null, status), false);
            return failed;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String remote = trustedProxies.clientAddress(peer(ctx), request.headers());
        Router.Match match;
        try {
            match = router.match(request.method(), uri.path());
        } catch (RuntimeException e) {
            // Answer after the (small) body is drained, so the connection can stay open.
            match = new Router.Match(Endpoint.buffered(Endpoint.IGNORED_BODY_LIMIT, (req, body) -> {
                throw e;
            }), Map.of(), "route.unknown");
        }
        boolean secure = trustedProxies.secure(peer(ctx), request.headers(), ctx.pipeline().get(SslHandler.class) != null);
        RequestContext requestContext = new RequestContext(request.method(), uri, request.headers(), match.pathParams(),
                remote, RequestIds.next(), match.action(), secure);
        if (match.endpoint() instanceof Endpoint.Streaming) {
            if (!uploadSlots.tryTake()) {
                Exchange refused = new Exchange.Rejected(ctx, requestContext, this::finished, tracker, auditor, accessLog);
                refused.respond(ErrorResponses.of(ErrorCode.TOOMANYREQUESTS, "too many uploads in progress; retry shortly",
                        null, 429).header(HttpHeaderNames.RETRY_AFTER, "1"), false);
                return refused;
            }
            holdsUploadSlot = true;
        }
        Exchange exchange = match.endpoint() instanceof Endpoint.Streaming streaming
                ? new Exchange.Streamed(ctx, requestContext, keepAlive, streaming.handler(), workers, guard,
                this::finished, tracker, auditor, accessLog)
                : new Exchange.Buffered(ctx, requestContext, keepAlive, (Endpoint.Buffered) match.endpoint(), workers,
                guard, this::finished, tracker, auditor, accessLog);
        exchange.start();
        return exchange;
    }

    /** Called by an exchange once its response is written; keeps or closes the connection. */
    private void finished(ChannelHandlerContext ctx, Exchange exchange, boolean keepAlive) {
        if (current == exchange) {
            current = null;
            releaseUploadSlot();
        }
        if (keepAlive) {
            ctx.read();
        } else {
            ctx.channel().close();
        }
    }

    /** Keeps only printable ASCII of a parser message, which may quote raw bytes of the request. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 120; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    private static InetAddress peer(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
