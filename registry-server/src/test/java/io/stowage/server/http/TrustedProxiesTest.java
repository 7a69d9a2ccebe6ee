package io.stowage.server.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whose word about the client's address and scheme the registry takes, and how far. */
class TrustedProxiesTest {
    private final TrustedProxies balancers = TrustedProxies.of(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"));

    @Test
    void theNearestUntrustedHopIsTheClient() throws Exception {
        HttpHeaders headers = forwardedFor("198.51.100.1, 203.0.113.9, 10.1.2.3");
        assertEquals("203.0.113.9", balancers.clientAddress(ip("10.9.9.9"), headers),
                "10.1.2.3 is a trusted hop; 203.0.113.9 is who connected to it; what it claims before is not believed");
    }

    @Test
    void headersFromAnUntrustedPeerAreIgnored() throws Exception {
        HttpHeaders headers = forwardedFor("203.0.113.9");
        headers.set("X-Forwarded-Proto", "https");
        assertEquals("198.51.100.4", balancers.clientAddress(ip("198.51.100.4"), headers));
        assertFalse(balancers.secure(ip("198.51.100.4"), headers, false));
        assertEquals("198.51.100.4", TrustedProxies.NONE.clientAddress(ip("198.51.100.4"), headers));
    }

    @Test
    void junkInTheHeaderNeverReachesTheRecord() throws Exception {
        assertEquals("10.9.9.9", balancers.clientAddress(ip("10.9.9.9"), forwardedFor("evil\u0000name, not-an-ip")));
        assertEquals("203.0.113.9", balancers.clientAddress(ip("10.9.9.9"), forwardedFor("rubbish, 203.0.113.9")));
        assertEquals("10.9.9.9", balancers.clientAddress(ip("10.9.9.9"), new DefaultHttpHeaders()),
                "a trusted peer without the header is itself the client");
    }

    @Test
    void everyHopTrustedMeansTheFarthestOneIsTheClient() throws Exception {
        assertEquals("10.0.0.1", balancers.clientAddress(ip("192.0.2.7"), forwardedFor("10.0.0.1, 10.0.0.2")));
    }

    @Test
    void ipv6HopsAndSeveralHeaderLines() throws Exception {
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.add("X-Forwarded-For", "2001:db8::5");
        headers.add("X-Forwarded-For", "fd00::1");
        assertEquals("2001:db8:0:0:0:0:0:5", balancers.clientAddress(ip("fd00::2"), headers));
    }

    @Test
    void schemeFromTheNearestTrustedProxy() throws Exception {
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.set("X-Forwarded-Proto", "http, https");
        assertTrue(balancers.secure(ip("10.0.0.1"), headers, false));
        headers.set("X-Forwarded-Proto", "https, http");
        assertFalse(balancers.secure(ip("10.0.0.1"), headers, false));
        assertTrue(balancers.secure(ip("198.51.100.4"), new DefaultHttpHeaders(), true), "the connection's own TLS");
    }

    @Test
    void badEntriesAreRefusedWithTheirText() {
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> TrustedProxies.of(List.of("lb.example.com")));
        assertTrue(name.getMessage().contains("lb.example.com"), name.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.of(List.of("10.0.0.0/33")));
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.of(List.of("10.0.0.0/x")));
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.of(List.of("")));
    }

    private static HttpHeaders forwardedFor(String value) {
        HttpHeaders headers = new DefaultHttpHeaders(false);
        headers.set("X-Forwarded-For", value);
        return headers;
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}
