package io.stowage.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A remote blob's chunks are read on another thread and reach the channel whole and in order. */
class PrefetchedChunksTest {

    private final ExecutorService readers = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        readers.shutdownNow();
    }

    @Test
    void slowSourceIsReadOffTheEventLoopAndArrivesWhole() throws Exception {
        byte[] content = new byte[300_001];
        new Random(1).nextBytes(content);
        SlowSource source = new SlowSource(content, false);
        EmbeddedChannel channel = new EmbeddedChannel(new ChunkedWriteHandler());

        ChannelFuture done = channel.writeAndFlush(new PrefetchedChunks(source, content.length, channel, readers));

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.isDone() && System.nanoTime() < deadline) {
            channel.runPendingTasks();
            for (ByteBuf chunk; (chunk = channel.readOutbound()) != null; ) {
                chunk.readBytes(received, chunk.readableBytes());
                chunk.release();
            }
            Thread.sleep(1);
        }
        // EmbeddedEventLoop counts every thread as its own, so the reader's resumeTransfer may have
        // written the last chunk itself after the drain above.
        for (ByteBuf chunk; (chunk = channel.readOutbound()) != null; ) {
            chunk.readBytes(received, chunk.readableBytes());
            chunk.release();
        }
        assertTrue(done.isSuccess(), "the write completed");
        assertArrayEquals(content, received.toByteArray());
        assertFalse(source.readOnEventLoop, "no read ran on the event loop thread");
        assertTrue(source.closed, "the source is closed at the end");
    }

    @Test
    void failingSourceFailsTheWrite() throws Exception {
        SlowSource source = new SlowSource(new byte[200_000], true);
        EmbeddedChannel channel = new EmbeddedChannel(new ChunkedWriteHandler());

        ChannelFuture done = channel.writeAndFlush(new PrefetchedChunks(source, 200_000, channel, readers));

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.isDone() && System.nanoTime() < deadline) {
            channel.runPendingTasks();
            for (ByteBuf chunk; (chunk = channel.readOutbound()) != null; ) {
                chunk.release();
            }
            Thread.sleep(1);
        }
        assertTrue(done.isDone() && !done.isSuccess(), "a source that fails ends the response with an error");
    }

    /** Gives a few KiB per read after a pause; optionally fails half way. */
    private static final class SlowSource implements ReadableByteChannel {
        private final byte[] content;
        private final boolean failHalfWay;
        private int position;
        volatile boolean closed;
        volatile boolean readOnEventLoop;

        SlowSource(byte[] content, boolean failHalfWay) {
            this.content = content;
            this.failHalfWay = failHalfWay;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (Thread.currentThread().getName().contains("embedded") || Thread.currentThread().getName().equals("main")) {
                readOnEventLoop = true;
            }
            if (failHalfWay && position > content.length / 2) {
                throw new IOException("connection to the store reset");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            if (position == content.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), Math.min(8192, content.length - position));
            dst.put(content, position, n);
            position += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
