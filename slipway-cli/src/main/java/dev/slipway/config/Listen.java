package dev.slipway.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where nginx accepts connections: a TCP port, on every address or on one. The shapes are those of
 * nginx's own {@code listen} directive (ngx_http_core_module, "listen address[:port]"), with the port
 * required: {@code 8080}, {@code *:8080}, {@code 127.0.1.5:8080}, {@code [::1]:8080} (an IPv6
 * address in square brackets) or {@code localhost:8080} (a host name, which nginx resolves when it
 * loads the file). UNIX-domain sockets ({@code unix:/path}) are not accepted: the deploy and status
 * reach nginx over TCP.
 *
 * @param address the address or host name, IPv6 without brackets; {@code null} for every address
 *                ({@code PORT} or {@code *:PORT})
 * @param port    the TCP port, 1-65535
 */
public record Listen(String address, int port) {
    private static final Pattern SHAPE = Pattern.compile("(?:(\\[[^\\]]*\\]|[^:\\[\\]]*):)?([0-9]+)");

    /** The message of every rejected value: what is accepted, with examples. */
    public static final String SHAPES = "PORT or ADDRESS:PORT as in nginx's listen, e.g. 8080, 127.0.1.5:8080,"
            + " [::1]:8080, *:8080 or localhost:8080";

    /**
     * @param port the port, on every address
     * @return {@code PORT}
     */
    public static Listen port(int port) {
        return new Listen(null, port);
    }

    /**
     * Reads a value of slipway.yaml.
     *
     * @param text {@code PORT} or {@code ADDRESS:PORT} (see the type's description)
     * @return the listen address
     * @throws IllegalArgumentException with a one-line reason when {@code text} is neither, the port
     *                                  is out of 1-65535, the address is not an IPv4 or IPv6 address
     *                                  or a host name, or an IPv6 address lacks its brackets
     */
    public static Listen parse(String text) {
        String t = text.strip();
        Matcher m = SHAPE.matcher(t);
        if (!m.matches()) {
            if (t.startsWith("unix:")) {
                throw new IllegalArgumentException("'" + text + "' is a UNIX-domain socket; Slipway needs a TCP " + SHAPES);
            }
            if (t.chars().filter(c -> c == ':').count() > 1 && !t.startsWith("[")) {
                throw new IllegalArgumentException("'" + text + "': an IPv6 address goes in square brackets, e.g. [::1]:8080");
            }
            throw new IllegalArgumentException("'" + text + "' is not " + SHAPES);
        }
        if (m.group(2).length() > 5 || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + m.group(2) + " is out of range 1-65535");
        }
        int port = Integer.parseInt(m.group(2));
        String host = m.group(1);
        if (host == null || host.equals("*")) {
            return new Listen(null, port);
        }
        boolean bracketed = host.startsWith("[");
        String address = bracketed ? host.substring(1, host.length() - 1) : host;
        if (address.isEmpty() || !ConfigLoader.isAddress(address) || bracketed != address.contains(":")) {
            throw new IllegalArgumentException("'" + text + "': '" + host + "' is not an IPv4 address, an IPv6 address in"
                    + " square brackets or a host name");
        }
        return new Listen(address, port);
    }

    /** @return whether nginx listens on every address ({@code PORT}) */
    public boolean everyAddress() {
        return address == null;
    }

    /**
     * @param fallback the address to use when this one is every address (the deploy machine reaches
     *                 nginx there, e.g. {@code 127.0.0.1} or the host's own address)
     * @return {@code host:port} for a URL, an IPv6 address in brackets
     */
    public String authority(String fallback) {
        String a = address == null ? fallback : address;
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + port;
    }

    /** @return the argument of nginx's {@code listen}: {@code PORT}, {@code ADDRESS:PORT} or {@code [IPV6]:PORT} */
    @Override
    public String toString() {
        return address == null ? Integer.toString(port) : authority(address);
    }
}
