package dev.slipway.util;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Why a call over the network failed, in words a user reads: "connection refused", "unknown host
 * registry.example", "no answer in time", "TLS failed: ...". Clients (Jib's registry client over
 * Apache HttpClient, the Kubernetes client over OkHttp) wrap the socket's error in their own
 * exceptions, whose {@code toString()} names classes such as
 * {@code org.apache.http.conn.HttpHostConnectException}; no such name reaches a message from here.
 */
public final class NetworkCause {
    /** How deep a cause chain is followed (a chain that loops stops here). */
    private static final int MAX_DEPTH = 20;

    private NetworkCause() {}

    /**
     * The first error of the chain that says why (refused, unknown host, timeout, TLS), else the
     * first I/O error's own message.
     *
     * @param e the error a client threw, its causes included
     * @return why, in words and without class names; empty when no error of the chain is an I/O error
     */
    public static Optional<String> of(Throwable e) {
        return unreachable(e).or(() -> chain(e).stream().filter(t -> t instanceof java.io.IOException).findFirst()
                .map(t -> firstLine(t) == null ? "an I/O error with no message" : withoutClassNames(firstLine(t))));
    }

    /**
     * @param e the error a client threw, its causes included
     * @return why the other end was not reached (refused, unknown host, timeout, TLS), from the first
     *         error of the chain that says so; empty for any other error (a local file, an HTTP status)
     */
    public static Optional<String> unreachable(Throwable e) {
        return chain(e).stream().map(NetworkCause::specific).filter(java.util.Objects::nonNull).findFirst();
    }

    private static List<Throwable> chain(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && chain.size() < MAX_DEPTH; t = t.getCause() == t ? null : t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /**
     * @param text a message that may quote an exception's {@code toString()}
     * @return the text with each qualified exception class name and its colon taken out
     *         ({@code "java.net.ConnectException: Connection refused"} becomes {@code "Connection refused"})
     */
    public static String withoutClassNames(String text) {
        return text.replaceAll("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)(?::\\s*|\\b)", "").strip();
    }

    /** @return what a refused, unknown, timed-out or TLS failure means, or {@code null} for another error */
    private static String specific(Throwable t) {
        String m = firstLine(t);
        if (t instanceof java.net.ConnectException) {
            // Apache HttpClient: "Connect to 127.0.0.1:5000 [/127.0.0.1] failed: Connection refused"; OkHttp:
            // "Failed to connect to /127.0.0.1:9"; the kernel's: "Connection refused", "Connection timed out".
            return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("timed out")
                    ? "no answer in time (the connection timed out)" : "connection refused";
        }
        if (t instanceof java.net.UnknownHostException) {
            return "unknown host" + (m == null ? "" : " " + m.replaceFirst(":.*", ""));
        }
        if (t instanceof java.net.http.HttpTimeoutException || t instanceof java.io.InterruptedIOException
                || t instanceof java.util.concurrent.TimeoutException) {
            return "no answer in time" + (m == null ? "" : " (" + withoutClassNames(m) + ")");
        }
        if (t instanceof javax.net.ssl.SSLException) {
            return "TLS failed" + (m == null ? "" : ": " + withoutClassNames(m));
        }
        return null;
    }

    private static String firstLine(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? null : t.getMessage().lines().findFirst().orElse(null);
    }
}
