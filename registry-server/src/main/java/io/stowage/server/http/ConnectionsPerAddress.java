package io.stowage.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} open connections per client address, so one client cannot take every
 * socket and event-loop slot. A connection over the limit is answered {@code 429} with
 * {@code Retry-After} before anything is read, then closed. Shared by all connections; thread-safe.
 */
@ChannelHandler.Sharable
final class ConnectionsPerAddress extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionsPerAddress.class);
    private static final String REFUSAL_BODY =
            "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"too many connections from this address\"}]}";
    /** Written straight to the socket: no request was read, so the HTTP pipeline has nothing to answer. */
    private static final byte[] REFUSAL = ("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n"
            + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " + REFUSAL_BODY.length()
            + "\r\n\r\n" + REFUSAL_BODY).getBytes(StandardCharsets.US_ASCII);

    private final int max;
    private final TrustedProxies trustedProxies;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

    /** Connections from {@code trustedProxies} are not counted: they carry many clients each. */
    ConnectionsPerAddress(int max, TrustedProxies trustedProxies) {
        this.max = max;
        this.trustedProxies = trustedProxies;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetAddress address = address(ctx);
        int count = address == null ? 0 : open.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        if (count > max) {
            log.debug("connection refused: too many from remote={} open={}", address, count - 1);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(REFUSAL)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        InetAddress address = address(ctx);
        if (address != null) {
            open.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
        super.channelInactive(ctx);
    }

    /** Open connections from {@code address} now; for tests. */
    int open(InetAddress address) {
        AtomicInteger count = open.get(address);
        return count == null ? 0 : count.get();
    }

    /** The address a connection counts against, or null for a trusted proxy (and a non-IP peer). */
    private InetAddress address(ChannelHandlerContext ctx) {
        InetAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        return trustedProxies.trusts(peer) ? null : peer;
    }
}
