package example.myapp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which peers are trusted reverse proxies, and the client address and scheme they report.
 * {@code X-Forwarded-For} and {@code X-Forwarded-Proto} are honoured only when the TCP peer is
 * trusted; otherwise a client could claim any address. In {@code X-Forwarded-For} the client is
 * the right-most address that is not itself a trusted proxy (each proxy appends the peer it saw),
 * as nginx's {@code real_ip_recursive on} does.
 *
 * <p>Entries are IP literals or CIDR blocks (IPv4 or IPv6), e.g. {@code 127.0.0.1, 10.0.0.0/8}.
 * No host names: they are never resolved.
 */
public final class ProxyTrust {
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private final List<byte[]> networks;
    private final List<Integer> prefixes;
    private final String text;

    private ProxyTrust(List<byte[]> networks, List<Integer> prefixes, String text) {
        this.networks = networks;
        this.prefixes = prefixes;
        this.text = text;
    }

    /**
     * Parses a comma-separated list of IPs and CIDRs; blank means none.
     *
     * @param list e.g. {@code "127.0.0.1, 10.0.0.0/8, ::1"}
     * @return the trust set
     * @throws IllegalArgumentException naming the first entry that is not an IP or CIDR
     */
    public static ProxyTrust parse(String list) {
        List<byte[]> nets = new ArrayList<>();
        List<Integer> prefixes = new ArrayList<>();
        for (String raw : list.split(",")) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            String ip = slash < 0 ? e : e.substring(0, slash);
            byte[] addr = literal(ip);
            if (addr == null) {
                throw new IllegalArgumentException("\"" + e + "\" is not an IP address or CIDR block");
            }
            int prefix = addr.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException nfe) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > addr.length * 8) {
                    throw new IllegalArgumentException("\"" + e + "\" has a bad prefix length");
                }
            }
            nets.add(addr);
            prefixes.add(prefix);
        }
        return new ProxyTrust(List.copyOf(nets), List.copyOf(prefixes), list.trim());
    }

    /**
     * Returns whether {@code addr} is a trusted proxy.
     *
     * @param addr an address
     * @return whether it falls in one of the configured blocks
     */
    public boolean trusts(InetAddress addr) {
        if (addr == null) {
            return false;
        }
        byte[] a = addr.getAddress();
        for (int i = 0; i < networks.size(); i++) {
            byte[] n = networks.get(i);
            if (n.length == a.length && matches(a, n, prefixes.get(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client address of a request: the peer itself unless the peer is trusted and sent
     * {@code X-Forwarded-For}.
     *
     * @param peer          the TCP peer
     * @param forwardedFor  the X-Forwarded-For header value, or {@code null}
     * @return the client address as text
     */
    public String clientAddress(InetAddress peer, String forwardedFor) {
        String fallback = peer == null ? "unknown" : peer.getHostAddress();
        if (forwardedFor == null || !trusts(peer)) {
            return fallback;
        }
        String[] hops = forwardedFor.split(",");
        String leftmost = null;
        for (int i = hops.length - 1; i >= 0; i--) {
            String h = hops[i].trim();
            byte[] b = literal(h);
            if (b == null) {
                return fallback; // a garbled header: believe only the peer
            }
            leftmost = h;
            try {
                if (!trusts(InetAddress.getByAddress(b))) {
                    return h;
                }
            } catch (UnknownHostException e) {
                return fallback;
            }
        }
        return leftmost != null ? leftmost : fallback;
    }

    /**
     * The scheme of a request: {@code X-Forwarded-Proto} from a trusted peer, else {@code http}.
     *
     * @param peer           the TCP peer
     * @param forwardedProto the X-Forwarded-Proto header value, or {@code null}
     * @return {@code http} or {@code https}
     */
    public String scheme(InetAddress peer, String forwardedProto) {
        if (forwardedProto != null && trusts(peer) && "https".equalsIgnoreCase(forwardedProto.trim())) {
            return "https";
        }
        return "http";
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyTrust p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private static boolean matches(byte[] a, byte[] n, int prefix) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (n[full] & mask);
    }

    /** Parses an IP literal without any DNS lookup; {@code null} if it is not one. */
    private static byte[] literal(String s) {
        if (s.isEmpty() || !IP_LITERAL.matcher(s).matches() || (s.indexOf(':') < 0 && !s.matches("\\d+(\\.\\d+){3}"))) {
            return null;
        }
        if (s.indexOf(':') < 0) {
            for (String octet : s.split("\\.")) {
                if (octet.length() > 3 || Integer.parseInt(octet) > 255) {
                    return null; // else getByName would treat it as a host name and look it up
                }
            }
        }
        try {
            return InetAddress.getByName(s).getAddress(); // a literal: no lookup is made
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
