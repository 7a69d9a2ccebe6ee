package io.stowage.server.tls;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS 1.0 and 1.1 stay off because of our protocol list, not because this JDK happens to disable
 * them: checked in a child JVM whose security properties allow them again, where the JDK's own
 * default does offer them.
 */
class TlsProtocolPolicyTest {
    @TempDir
    Path dir;

    @Test
    void tls10And11StayOffWhereTheJdkWouldAllowThem() throws Exception {
        Path securityProperties = Files.writeString(dir.resolve("java.security"),
                "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, NULL, anon\n");
        Path output = dir.resolve("probe.out");
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.security.properties=" + securityProperties,
                "-cp", System.getProperty("java.class.path"), Probe.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertEquals(0, probe.exitValue(), String.join("\n", lines));

        assertTrue(lines.get(0).contains("TLSv1.1"), "the child JVM must allow TLS 1.1, or this test shows nothing: " + lines);
        assertEquals("ours=TLSv1.3,TLSv1.2", lines.get(1));
    }

    /** Prints the JDK's default server protocols, then ours. */
    static final class Probe {
        public static void main(String[] args) throws Exception {
            SSLContext jdk = SSLContext.getInstance("TLS");
            jdk.init(null, null, null);
            SSLEngine jdkEngine = jdk.createSSLEngine();
            jdkEngine.setUseClientMode(false);
            System.out.println("jdk=" + String.join(",", jdkEngine.getEnabledProtocols()));

            DevCertificate dev = DevCertificate.create(List.of(), 1, java.time.Clock.systemUTC());
            SSLEngine ours = ServerSslContexts.build(new TlsMaterial(List.of(dev.certificate()), dev.privateKey(), List.of()),
                    ClientAuthMode.NONE).newEngine(ByteBufAllocator.DEFAULT);
            System.out.println("ours=" + String.join(",", ours.getEnabledProtocols()));
        }
    }
}
