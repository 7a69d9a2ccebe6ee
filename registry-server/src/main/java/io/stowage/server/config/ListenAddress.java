package io.stowage.server.config;

/** A {@code host:port} to listen on ({@code [::1]:5000} for IPv6). Immutable. */
public record ListenAddress(String host, int port) {

    public static ListenAddress parse(String text) {
        if (text == null) {
            throw new ConfigException("http.addr must be host:port", null);
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException("http.addr must be host:port, got " + text, null);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException("http.addr has no valid port: " + text, null);
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("http.addr port out of range: " + text, null);
        }
        return new ListenAddress(host, port);
    }

    /** True for addresses only this machine can reach; anything else without auth earns a warning. */
    public boolean isLoopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
