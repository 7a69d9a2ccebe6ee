package io.stowage.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The body of a blob from a remote store (S3), read off the event loop: a reader thread fills a few
 * chunks ahead, and the event loop only takes what is ready. {@code ChunkedWriteHandler} pulls
 * chunks on the event loop, and a read from S3 can take as long as the network wants; reading there
 * would stall every connection of that loop.
 *
 * <p>Memory stays flat: at most {@link #AHEAD} chunks wait, and a reader task stops when they are
 * full instead of holding its thread while a slow client drains them; taking a chunk starts the next
 * task. When nothing is ready {@link #readChunk} returns null, and the reader resumes the transfer
 * when it has more. Thread-safe between the event loop and one reader task at a time.
 */
final class PrefetchedChunks implements ChunkedInput<ByteBuf> {

    static final int AHEAD = 4;
    private static final int CHUNK_SIZE = 64 * 1024;

    /** Short tasks (at most {@link #AHEAD} chunks each); threads go when idle. */
    private static final Executor READERS = readers();

    private final ReadableByteChannel source;
    private final long length;
    private final Channel channel;
    private final Executor executor;
    private final ArrayDeque<ByteBuf> ready = new ArrayDeque<>();
    private long fetched;
    private long delivered;
    private boolean fetching;
    private boolean closed;
    private Throwable failure;

    PrefetchedChunks(ReadableByteChannel source, long length, Channel channel) {
        this(source, length, channel, READERS);
    }

    PrefetchedChunks(ReadableByteChannel source, long length, Channel channel, Executor executor) {
        this.source = source;
        this.length = length;
        this.channel = channel;
        this.executor = executor;
        synchronized (this) {
            startFetching();
        }
    }

    @Override
    public synchronized boolean isEndOfInput() {
        // On a failure readChunk must still run, to throw it and end the response.
        return failure == null && delivered == length;
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public synchronized ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        if (failure != null) {
            throw failure instanceof Exception e ? e : new IOException(failure);
        }
        ByteBuf chunk = ready.poll();
        if (chunk != null) {
            delivered += chunk.readableBytes();
        }
        startFetching();
        return chunk;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public synchronized long progress() {
        return delivered;
    }

    @Override
    public synchronized void close() throws Exception {
        closed = true;
        for (ByteBuf chunk : ready) {
            chunk.release();
        }
        ready.clear();
        if (!fetching) {
            source.close();
        }
        // A running reader closes the source when it sees closed.
    }

    private void startFetching() {
        if (fetching || closed || failure != null || fetched == length || ready.size() >= AHEAD) {
            return;
        }
        fetching = true;
        executor.execute(this::fetch);
    }

    /** On a reader thread: fills chunks until {@link #AHEAD} wait or the range ends. */
    private void fetch() {
        try {
            while (true) {
                synchronized (this) {
                    if (closed || fetched == length || ready.size() >= AHEAD) {
                        break;
                    }
                }
                ByteBuf chunk = readOne();
                synchronized (this) {
                    if (closed) {
                        chunk.release();
                        break;
                    }
                    ready.add(chunk);
                    fetched += chunk.readableBytes();
                }
                resume();
            }
        } catch (Throwable e) {
            synchronized (this) {
                failure = e;
            }
            resume();
        } finally {
            boolean closeSource;
            synchronized (this) {
                fetching = false;
                closeSource = closed;
                if (!closed) {
                    startFetching(); // a chunk was taken while this task finished
                }
            }
            if (closeSource) {
                try {
                    source.close();
                } catch (IOException ignored) {
                    // the response is over either way
                }
            }
        }
    }

    /** Reads one chunk (or the rest of the range) from the source, blocking as long as it takes. */
    private ByteBuf readOne() throws IOException {
        long left;
        synchronized (this) {
            left = length - fetched;
        }
        int size = (int) Math.min(CHUNK_SIZE, left);
        ByteBuffer buffer = ByteBuffer.allocate(size);
        while (buffer.hasRemaining()) {
            if (source.read(buffer) < 0) {
                throw new IOException("blob ended " + buffer.remaining() + " bytes before its recorded size");
            }
        }
        buffer.flip();
        return Unpooled.wrappedBuffer(buffer);
    }

    private void resume() {
        ChunkedWriteHandler writer = channel.pipeline().get(ChunkedWriteHandler.class);
        if (writer != null) {
            writer.resumeTransfer(); // hands itself to the event loop
        }
    }

    private static Executor readers() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(32, 32, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread thread = new Thread(r, "blob-reader-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
