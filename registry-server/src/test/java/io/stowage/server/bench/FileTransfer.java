package io.stowage.server.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The bulk side of the load client: one HTTP/1.1 request per connection over a plain socket,
 * sending a file range with {@code transferTo} (sendfile) and discarding a response body into one
 * reused buffer. On a 2-core machine the JDK HttpClient's copying made the client, not the server,
 * the limit of the push and pull rows; this keeps the client's share of the cores small, the same
 * for both registries.
 */
final class FileTransfer {
    private static final int BUFFER = 1 << 20;

    private FileTransfer() {
    }

    /** A response: status, headers (names lower-cased), and how many body bytes were read and dropped. */
    record Answer(int status, Map<String, String> headers, long bodyBytes) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Sends {@code length} bytes of {@code file} from {@code offset} as the body of {@code method url}. */
    static Answer send(URI url, String method, Path file, long offset, long length, Map<String, String> headers)
            throws IOException {
        try (SocketChannel socket = connect(url);
             FileChannel body = FileChannel.open(file, StandardOpenOption.READ)) {
            writeHead(socket, url, method, length, headers);
            long sent = 0;
            while (sent < length) {
                sent += body.transferTo(offset + sent, length - sent, socket);
            }
            return readAnswer(socket, method);
        }
    }

    /** {@code GET url}, the body read and dropped. */
    static Answer get(URI url) throws IOException {
        try (SocketChannel socket = connect(url)) {
            writeHead(socket, url, "GET", -1, Map.of());
            return readAnswer(socket, "GET");
        }
    }

    private static SocketChannel connect(URI url) throws IOException {
        SocketChannel socket = SocketChannel.open(new InetSocketAddress(url.getHost(), url.getPort()));
        socket.socket().setTcpNoDelay(true);
        return socket;
    }

    private static void writeHead(SocketChannel socket, URI url, String method, long length, Map<String, String> headers)
            throws IOException {
        StringBuilder head = new StringBuilder();
        String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n");
        head.append("Connection: close\r\n");
        if (length >= 0) {
            head.append("Content-Length: ").append(length).append("\r\n");
        }
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        ByteBuffer bytes = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            socket.write(bytes);
        }
    }

    private static Answer readAnswer(SocketChannel socket, String method) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        StringBuilder head = new StringBuilder();
        int headEnd = -1;
        while (headEnd < 0) {
            if (socket.read(buffer) < 0) {
                throw new IOException("connection closed before the response head");
            }
            buffer.flip();
            while (buffer.hasRemaining() && headEnd < 0) {
                head.append((char) (buffer.get() & 0xff));
                int n = head.length();
                if (n >= 4 && head.charAt(n - 4) == '\r' && head.charAt(n - 3) == '\n' && head.charAt(n - 2) == '\r'
                        && head.charAt(n - 1) == '\n') {
                    headEnd = n;
                }
            }
            buffer.compact();
        }
        String[] lines = head.toString().split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        buffer.flip();
        long body = buffer.remaining();
        buffer.clear();
        if (!method.equals("HEAD")) {
            // Connection: close, so the body ends where the stream does (length or chunked alike).
            int n;
            while ((n = socket.read(buffer)) >= 0) {
                body += n;
                buffer.clear();
            }
        }
        return new Answer(status, headers, body);
    }
}
