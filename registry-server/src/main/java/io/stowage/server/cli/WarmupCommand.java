package io.stowage.server.cli;

import io.stowage.server.Registry;
import io.stowage.server.config.ConfigLoader;
import io.stowage.server.config.RegistryConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code registry warmup} (hidden): starts a registry on a free loopback port in a temporary
 * directory, serves one push and pull through it, and stops. The build runs it under
 * {@code -XX:ArchiveClassesAtExit} to write a class-data-sharing archive of every class a start
 * and the first requests load, which the README's run command then maps in instead of loading
 * thousands of classes from the jar (most of a start-up's time).
 */
@Command(name = "warmup", hidden = true, description = "Start, serve one push and pull, stop (for the CDS archive).")
final class WarmupCommand implements Callable<Integer> {

    @Option(names = "--replace", paramLabel = "FILE",
            description = "An old archive to delete first: the JVM writes the new one at exit and may not overwrite a read-only file.")
    Path replace;

    @Override
    public Integer call() throws Exception {
        if (replace != null) {
            Files.deleteIfExists(replace);
        }
        SqliteNativeLibrary.unpack();
        Path dir = Files.createTempDirectory("stowage-warmup-");
        try {
            RegistryConfig config = new ConfigLoader().load(null, Map.of(), Map.of(
                    "http.addr", "127.0.0.1:0", "storage.dataDir", dir.toString(), "gc.interval", "PT0S"));
            config.http.shutdownGrace = Duration.ofSeconds(5);
            try (Registry registry = Registry.start(config, Clock.systemUTC())) {
                int port = registry.address().getPort();
                byte[] configBlob = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
                byte[] layer = "warm-up layer".getBytes(StandardCharsets.UTF_8);
                String configDigest = digest(configBlob);
                String layerDigest = digest(layer);
                byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                        + configDigest + "\",\"size\":" + configBlob.length + "},\"layers\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":"
                        + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
                request(port, "GET", "/v2/", null, null);
                request(port, "POST", "/v2/warmup/app/blobs/uploads/?digest=" + configDigest, configBlob, null);
                request(port, "POST", "/v2/warmup/app/blobs/uploads/?digest=" + layerDigest, layer, null);
                request(port, "PUT", "/v2/warmup/app/manifests/v1", manifest, "application/vnd.oci.image.manifest.v1+json");
                request(port, "GET", "/v2/warmup/app/manifests/v1", null, null);
                request(port, "HEAD", "/v2/warmup/app/blobs/" + layerDigest, null, null);
                request(port, "GET", "/v2/warmup/app/blobs/" + layerDigest, null, null);
                request(port, "GET", "/v2/warmup/app/tags/list", null, null);
                request(port, "GET", "/admin/audit?limit=1", null, null);
            }
            return 0;
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One request on its own connection, answer read to the end; the status is not checked, only the code paths matter. */
    private static void request(int port, String method, String path, byte[] body, String contentType) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = socket.getInputStream();
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static String digest(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
