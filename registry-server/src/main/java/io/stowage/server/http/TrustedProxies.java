package io.stowage.server.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The load balancers and reverse proxies whose {@code X-Forwarded-For} and {@code X-Forwarded-Proto}
 * the registry believes ({@code http.trustedProxies}). Behind a load balancer every connection comes
 * from the balancer's address: without this the audit log would name the balancer as every
 * request's client, one client's failed logins would block everyone's, and the per-address
 * connection limit would cap the whole fleet. A header from any other peer is ignored, so a client
 * cannot choose what the audit log records as its address. Immutable, thread-safe.
 */
public final class TrustedProxies {
    /** Nobody is trusted: the TCP peer is the client. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<IpSubnetFilterRule> ranges;

    private TrustedProxies(List<IpSubnetFilterRule> ranges) {
        this.ranges = ranges;
    }

    /**
     * @param cidrs addresses ({@code 10.0.0.7}) or ranges ({@code 10.0.0.0/8}, {@code fd00::/8})
     * @throws IllegalArgumentException naming the first entry that is neither
     */
    public static TrustedProxies of(List<String> cidrs) {
        List<IpSubnetFilterRule> ranges = new ArrayList<>();
        for (String cidr : cidrs == null ? List.<String>of() : cidrs) {
            ranges.add(range(cidr));
        }
        return new TrustedProxies(List.copyOf(ranges));
    }

    private static IpSubnetFilterRule range(String cidr) {
        String text = cidr == null ? "" : cidr.trim();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = literal(host);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address or CIDR range: '" + cidr + "'");
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix length of '" + cidr + "' must be 0 to " + bits);
            }
        }
        return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
    }

    /** An IP literal, or null; never a name to look up (a header or a config value must not cause DNS queries). */
    private static InetAddress literal(String text) {
        String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        return NetUtil.createInetAddressFromIpAddressString(host);
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Whether connections from {@code peer} come from a trusted proxy. */
    public boolean trusts(InetAddress peer) {
        if (peer == null || ranges.isEmpty()) {
            return false;
        }
        InetSocketAddress socket = new InetSocketAddress(peer, 0);
        for (IpSubnetFilterRule range : ranges) {
            if (range.matches(socket)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Who sent a request that arrived from {@code peer}: the peer itself unless it is trusted;
     * otherwise the nearest address in {@code X-Forwarded-For} (read from the right) that is not a
     * trusted proxy. A malformed entry ends the walk at the last trusted hop: nothing a client wrote
     * reaches the audit log unless a trusted proxy vouched for it.
     */
    public String clientAddress(InetAddress peer, HttpHeaders headers) {
        if (!trusts(peer)) {
            return peer == null ? "-" : peer.getHostAddress();
        }
        List<String> hops = forwardedFor(headers);
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                break;
            }
            client = hop;
            if (!trusts(hop)) {
                break;
            }
        }
        return client.getHostAddress();
    }

    /**
     * Whether the client reached the registry over TLS: the connection's own TLS, or, from a trusted
     * proxy that ended TLS itself, {@code X-Forwarded-Proto: https} (its last value: the nearest proxy's).
     */
    public boolean secure(InetAddress peer, HttpHeaders headers, boolean tlsConnection) {
        if (tlsConnection || !trusts(peer)) {
            return tlsConnection;
        }
        String proto = headers.get("X-Forwarded-Proto");
        if (proto == null) {
            return false;
        }
        String[] values = proto.split(",");
        return values[values.length - 1].trim().equalsIgnoreCase("https");
    }

    private static List<String> forwardedFor(HttpHeaders headers) {
        List<String> hops = new ArrayList<>();
        for (String header : headers.getAll("X-Forwarded-For")) {
            for (String hop : header.split(",")) {
                String trimmed = hop.trim();
                if (!trimmed.isEmpty()) {
                    hops.add(trimmed);
                }
            }
        }
        return hops;
    }
}
