package io.stowage.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections that hold the server without moving: an idle keep-alive connection, a
 * request whose headers trickle in (slowloris: each byte resets any per-read timer, so the
 * header phase has a deadline of its own), a body that stops arriving while the server waits
 * for it, and a body that takes longer than any upload should. Time the server spends answering
 * never counts, nor does time the server is not reading because its disk is busy (backpressure):
 * the body's idle clock runs only from the moment the server asks for more bytes.
 *
 * <p>Two handlers share one instance's state: {@link #rawSide()} goes before the HTTP codec and
 * sees bytes arrive; this handler goes after it and sees where requests begin and end.
 * Event-loop confined (one instance per connection).
 */
final class ConnectionTimeouts extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectionTimeouts.class);
    private static final long CHECK_EVERY_MILLIS = 1_000;

    /** What a connection's timeouts are, as configured. */
    record Settings(Duration idle, Duration headers, Duration bodyIdle, Duration maxBody) {
    }

    private enum Phase { IDLE, HEADERS, BODY, HANDLING }

    private final Settings settings;
    private Phase phase = Phase.IDLE;
    private long phaseSince = System.nanoTime();
    /** When the server last asked for bytes that have not come yet; -1 when it is not waiting. */
    private long waitingSince = -1;
    private ScheduledFuture<?> check;

    ConnectionTimeouts(Settings settings) {
        this.settings = settings;
    }

    /** The handler before the codec: every read of raw bytes is activity. */
    ChannelInboundHandlerAdapter rawSide() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf) {
                    bytesArrived();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void bytesArrived() {
        waitingSince = -1;
        if (phase == Phase.IDLE) {
            enter(Phase.HEADERS);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        check = ctx.executor().scheduleAtFixedRate(() -> checkDeadlines(ctx), CHECK_EVERY_MILLIS, CHECK_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            enter(Phase.BODY);
        }
        if (msg instanceof LastHttpContent) {
            enter(Phase.HANDLING);
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) throws Exception {
        if (waitingSince < 0) {
            waitingSince = System.nanoTime();
        }
        super.read(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof LastHttpContent) {
            // The answer is complete: the connection waits for the next request from now on.
            enter(Phase.IDLE);
        }
        super.write(ctx, msg, promise);
    }

    private void enter(Phase next) {
        phase = next;
        phaseSince = System.nanoTime();
    }

    private void checkDeadlines(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        String reason = switch (phase) {
            // From when the server asked for the next request, not from when the last answer was
            // queued: a long download is still being written until then.
            case IDLE -> waitingSince >= 0 && over(now, waitingSince, settings.idle()) ? "idle" : null;
            case HEADERS -> over(now, phaseSince, settings.headers()) ? "headers too slow" : null;
            case BODY -> over(now, phaseSince, settings.maxBody()) ? "body took too long"
                    : waitingSince >= 0 && over(now, waitingSince, settings.bodyIdle()) ? "body stalled" : null;
            case HANDLING -> null;
        };
        if (reason != null) {
            log.debug("closing connection remote={} reason={}", ctx.channel().remoteAddress(), reason);
            ctx.close();
        }
    }

    private static boolean over(long now, long since, Duration limit) {
        return now - since > limit.toNanos();
    }
}
