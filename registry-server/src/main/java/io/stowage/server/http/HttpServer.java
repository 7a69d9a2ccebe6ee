package io.stowage.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Netty server: binds the address, sets up each connection's pipeline (TLS when configured,
 * HTTP codec, 100-continue, chunked writes, {@link RequestDispatcher}), and shuts down in order:
 * stop accepting, let requests in flight finish, then close connections and event loops.
 * Uses the native epoll transport where it loads, NIO elsewhere. Thread-safe.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    /**
     * HTTP limits: a request line or header block beyond these is refused before any routing;
     * connections per address, uploads at once and the connection timeouts (see
     * {@link ConnectionTimeouts}) keep one client from holding the server.
     */
    public record Limits(int maxInitialLineBytes, int maxHeaderBytes, int maxConnectionsPerAddress,
                         int maxConcurrentUploads, Duration idleTimeout, Duration headerTimeout,
                         Duration bodyIdleTimeout, Duration maxBodyDuration) {

        ConnectionTimeouts.Settings timeouts() {
            return new ConnectionTimeouts.Settings(idleTimeout, headerTimeout, bodyIdleTimeout, maxBodyDuration);
        }
    }

    private final Router router;
    private final WorkerPool workers;
    private final Limits limits;
    private final int ioThreads;
    private final RequestAuditor auditor;
    private final RequestGuard guard;
    /** Null for plain HTTP. */
    private final Supplier<SslContext> tls;
    private final TrustedProxies trustedProxies;
    private final ExchangeTracker tracker = new ExchangeTracker();
    private ConnectionsPerAddress connectionsPerAddress;
    private UploadSlots uploadSlots;
    /** Null when off; see {@link AccessLog#toStream}. */
    private final AccessLog accessLog = AccessLog.toStream(System.out);
    private final ChannelGroup connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup bossGroup;
    private EventLoopGroup ioGroup;
    private Channel serverChannel;

    /**
     * @param ioThreads event loops that move bytes between sockets and the pipeline; disk,
     *                  database and hashing run on {@code workers} instead
     * @param tls       the TLS context for a connection accepted now, asked once per connection so
     *                  that a replaced certificate reaches new connections; null for plain HTTP
     */
    public HttpServer(Router router, WorkerPool workers, Limits limits, int ioThreads, RequestAuditor auditor) {
        this(router, workers, limits, ioThreads, auditor, RequestGuard.OPEN, null, TrustedProxies.NONE);
    }

    /**
     * @param guard who may do what; {@link RequestGuard#OPEN} without authentication
     * @param tls   the TLS context for each new connection, or null for plain HTTP
     * @param trustedProxies whose {@code X-Forwarded-For}/{@code -Proto} name the client
     */
    public HttpServer(Router router, WorkerPool workers, Limits limits, int ioThreads, RequestAuditor auditor,
                      RequestGuard guard, Supplier<SslContext> tls, TrustedProxies trustedProxies) {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1, was " + ioThreads);
        }
        this.router = router;
        this.workers = workers;
        this.limits = limits;
        this.ioThreads = ioThreads;
        this.auditor = auditor;
        this.guard = guard;
        this.tls = tls;
        this.trustedProxies = trustedProxies;
    }

    /** Binds and starts serving; returns the bound address (useful with port 0). */
    public InetSocketAddress start(String host, int port) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        Class<? extends ServerChannel> channelType;
        if (epoll) {
            bossGroup = new EpollEventLoopGroup(1);
            ioGroup = new EpollEventLoopGroup(ioThreads);
            channelType = EpollServerSocketChannel.class;
        } else {
            bossGroup = new NioEventLoopGroup(1);
            ioGroup = new NioEventLoopGroup(ioThreads);
            channelType = NioServerSocketChannel.class;
        }
        connectionsPerAddress = new ConnectionsPerAddress(limits.maxConnectionsPerAddress(), trustedProxies);
        uploadSlots = new UploadSlots(limits.maxConcurrentUploads());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, ioGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 64 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        if (tls != null) {
                            // First in line: everything after it sees plain HTTP. A client that does not
                            // speak TLS fails the handshake here and is disconnected (logged at debug).
                            channel.pipeline().addLast("tls", tls.get().newHandler(channel.alloc()));
                        }
                        ConnectionTimeouts timeouts = new ConnectionTimeouts(limits.timeouts());
                        channel.pipeline()
                                .addLast("perAddress", connectionsPerAddress)
                                .addLast("rawActivity", timeouts.rawSide())
                                .addLast("codec", new HttpServerCodec(limits.maxInitialLineBytes(), limits.maxHeaderBytes(), 1024 * 1024))
                                .addLast("timeouts", timeouts)
                                .addLast("continue", new HttpServerExpectContinueHandler())
                                .addLast("chunked", new ChunkedWriteHandler())
                                .addLast("dispatcher", new RequestDispatcher(router, workers, tracker, auditor, accessLog, guard,
                                        uploadSlots, trustedProxies));
                    }
                });
        serverChannel = bootstrap.bind(host, port).sync().channel();
        log.debug("transport selected epoll={}", epoll);
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting, waits up to {@code grace} for requests in flight, then closes everything. */
    public void shutdown(Duration grace) throws InterruptedException {
        if (serverChannel != null) {
            serverChannel.close().sync();
        }
        if (!tracker.awaitIdle(grace)) {
            log.warn("shutdown grace period over, closing connections inFlight={}", tracker.inFlight());
        }
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        if (accessLog != null) {
            accessLog.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        shutdown(Duration.ofSeconds(10));
    }
}
