package io.stowage.server.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessLogTest {

    @Test
    void writesOneLinePerRequestInOrder() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = new AccessLog(out);
        log.request("GET", "/v2/app/manifests/v1", 200, 0, 512, 1_234, "127.0.0.1", true);
        log.request("PUT", "/v2/app/blobs/uploads/x", 201, 1_048_576, 0, 5, "10.0.0.2", true);
        log.request("GET", "/v2/app/blobs/sha256:ab", 200, 0, 0, 1_000_000, "10.0.0.3", false);
        log.close();

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[access-log\\] "
                + "io\\.stowage\\.access - request method=GET path=/v2/app/manifests/v1 status=200 in=0 out=512 "
                + "ms=1\\.234 remote=127\\.0\\.0\\.1"), lines.get(0));
        assertTrue(lines.get(1).endsWith("method=PUT path=/v2/app/blobs/uploads/x status=201 in=1048576 out=0 ms=0.005 "
                + "remote=10.0.0.2"), lines.get(1));
        assertTrue(lines.get(2).endsWith("ms=1000.000 remote=10.0.0.3 aborted=true"), lines.get(2));
    }

    /** Output that cannot keep up never blocks a request: lines are dropped, and the drop is reported. */
    @Test
    void dropsAndCountsLinesWhenTheOutputIsStuck() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
                written.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.write(b, off, len);
            }
        };
        AccessLog log = new AccessLog(stuck);
        int sent = 40_000;
        long started = System.nanoTime();
        for (int i = 0; i < sent; i++) {
            log.request("GET", "/v2/app/manifests/v" + i, 200, 0, 1, 1, "127.0.0.1", true);
        }
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 20, "queueing never waited for the output");
        release.countDown();
        int attempts = 1;
        while (!log.request("GET", "/after", 200, 0, 1, 1, "127.0.0.1", true) && attempts++ < 1_000) {
            Thread.sleep(10);
        }
        log.close();

        String text = written.toString(StandardCharsets.UTF_8);
        long requestLines = text.lines().filter(l -> l.contains(" - request ")).count();
        Matcher drop = Pattern.compile("dropped=(\\d+) lines").matcher(text);
        long droppedTotal = 0;
        while (drop.find()) {
            droppedTotal += Long.parseLong(drop.group(1));
        }
        assertTrue(droppedTotal > 0, "the drop is reported");
        assertEquals(sent + attempts, requestLines + droppedTotal, "every line written or counted as dropped");
        assertTrue(text.contains("path=/after "), "lines after the stall are written");
    }
}
