package example.myapp;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writing responses, shared by every handler: JSON bodies and errors ({@code {"error": ...,
 * "status": N}}, {@code Cache-Control: no-store}), {@code X-Content-Type-Options: nosniff} on
 * everything, and reading one query parameter.
 */
final class Http {
    private Http() {
    }

    /**
     * @param ex      the exchange
     * @param code    HTTP status
     * @param message the error, for the {@code error} field
     * @throws IOException if the client went away
     */
    static void sendError(HttpExchange ex, int code, String message) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", code);
        sendJson(ex, code, body);
    }

    /**
     * @param ex   the exchange
     * @param code HTTP status
     * @param body a flat JSON object (see {@link Json#object})
     * @throws IOException if the client went away
     */
    static void sendJson(HttpExchange ex, int code, Map<String, Object> body) throws IOException {
        sendJsonText(ex, code, Json.object(body));
    }

    /**
     * @param ex   the exchange
     * @param code HTTP status
     * @param text a JSON document; a line break is added
     * @throws IOException if the client went away
     */
    static void sendJsonText(HttpExchange ex, int code, String text) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, code, "application/json", (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param ex          the exchange
     * @param code        HTTP status
     * @param contentType the {@code Content-Type}
     * @param body        the body; empty for none
     * @throws IOException if the client went away
     */
    static void send(HttpExchange ex, int code, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * @param rawQuery the raw query string, or {@code null}
     * @param name     the parameter
     * @return its raw value ({@code ""} when given without {@code =}), or {@code null} when absent
     */
    static String queryParam(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (k.equals(name)) {
                return eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        return null;
    }

    /** @return the current time, milliseconds, ISO-8601 UTC (the {@code timestamp} of health answers) */
    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /**
     * First line of an exception's message (class name if none), followed by its root cause's
     * when that differs (HikariCP's "Connection is not available" hides why), at most 200 characters.
     *
     * @param e the exception
     * @return one line for a log or a readiness answer
     */
    static String oneLine(Throwable e) {
        String m = firstLine(e);
        Throwable root = e;
        for (int i = 0; i < 10 && root.getCause() != null; i++) {
            root = root.getCause();
        }
        if (root != e && !m.contains(firstLine(root))) {
            m = m + " (" + firstLine(root) + ")";
        }
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return m.strip().lines().findFirst().orElse(m);
    }
}
