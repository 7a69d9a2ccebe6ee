package io.stowage.server.outage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A TCP forwarder on a loopback port in front of a backend (an S3 server, a database), that a test
 * can cut and restore: {@link #cut()} closes the listening socket and every open connection, so the
 * registry sees what it sees when its backend dies (refused connections, broken streams);
 * {@link #restore()} listens on the same port again, as a backend coming back would. Daemon
 * threads, all stopped by {@link #close()}.
 */
public final class SwitchableTcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final int port;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-tcp-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;

    private SwitchableTcpProxy(InetSocketAddress target, ServerSocket listener) {
        this.target = target;
        this.listener = listener;
        this.port = listener.getLocalPort();
        accept(listener);
    }

    /** Starts forwarding a free loopback port to {@code targetPort} on 127.0.0.1. */
    public static SwitchableTcpProxy start(int targetPort) throws IOException {
        return new SwitchableTcpProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), listen(0));
    }

    public int port() {
        return port;
    }

    /** The backend goes away: new connections are refused, open ones are reset. */
    public synchronized void cut() throws IOException {
        ServerSocket current = listener;
        listener = null;
        if (current != null) {
            current.close();
        }
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    /** The backend is back on the same address. */
    public synchronized void restore() throws IOException {
        if (listener == null) {
            listener = listen(port);
            accept(listener);
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        return socket;
    }

    private void accept(ServerSocket server) {
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket backend = new Socket();
                    backend.connect(target, 5_000);
                    open.add(client);
                    open.add(backend);
                    threads.execute(() -> pump(client, backend));
                    threads.execute(() -> pump(backend, client));
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                }
            }
        });
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            // Cut, or the other side closed: both sockets are closed below.
        } catch (IOException e) {
            // Same: a broken stream ends this direction.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket that is already broken.
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
