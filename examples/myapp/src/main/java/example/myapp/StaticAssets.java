package example.myapp;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code GET /static/{path}}: files embedded in the jar under {@code web/static/}, read once and
 * kept, with a content type by extension (others are 404), a strong ETag (the first 16 hex digits
 * of the SHA-256) and {@code If-None-Match} (304). A URL with the current hash in {@code ?v=} (as
 * the index page links it) names one content forever and is cached for 30 days, immutable; other
 * URLs make caches revalidate. Paths are an allow-list: no percent-encoding, backslashes, empty,
 * {@code .} or {@code ..} segments (400).
 */
final class StaticAssets {
    /** Cache-Control of a static file asked for with its current {@code ?v=} hash: 30 days, immutable. */
    static final String IMMUTABLE = "public, max-age=2592000, immutable";

    private static final Pattern SAFE_STATIC_PATH = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("webp", "image/webp"),
            Map.entry("woff2", "font/woff2"));

    /** An embedded static file with its content type and strong ETag (SHA-256 prefix, quoted). */
    private record StaticFile(byte[] data, String type, String etagValue) {
        String etag() {
            return "\"" + etagValue + "\"";
        }
    }

    private final Map<String, StaticFile> files = new ConcurrentHashMap<>();

    /**
     * {@code GET /static/{path}}.
     *
     * @param ex  the exchange
     * @param rel the path after {@code /static/}, raw
     * @throws IOException if the client went away
     */
    void serve(HttpExchange ex, String rel) throws IOException {
        if (!SAFE_STATIC_PATH.matcher(rel).matches()) {
            Http.sendError(ex, rel.isEmpty() ? 404 : 400, rel.isEmpty() ? "not found" : "invalid path");
            return;
        }
        for (String seg : rel.split("/")) {
            if (seg.equals(".") || seg.equals("..")) {
                Http.sendError(ex, 400, "invalid path");
                return;
            }
        }
        StaticFile f = file(rel);
        if (f == null) {
            Http.sendError(ex, 404, "not found");
            return;
        }
        String v = Http.queryParam(ex.getRequestURI().getRawQuery(), "v");
        ex.getResponseHeaders().set("Cache-Control", f.etagValue().equals(v) ? IMMUTABLE : "no-cache");
        ex.getResponseHeaders().set("ETag", f.etag());
        String inm = ex.getRequestHeaders().getFirst("If-None-Match");
        if (inm != null && (inm.trim().equals("*") || Arrays.stream(inm.split(","))
                .map(String::trim).anyMatch(t -> t.equals(f.etag()) || t.equals("W/" + f.etag())))) {
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.sendResponseHeaders(304, -1);
            return;
        }
        Http.send(ex, 200, f.type(), f.data());
    }

    /**
     * @param rel a path under {@code web/static/}
     * @return its content hash for a {@code ?v=} link, or {@code ""} when there is no such file
     */
    String version(String rel) {
        StaticFile f = file(rel);
        return f == null ? "" : f.etagValue();
    }

    private StaticFile file(String rel) {
        int dot = rel.lastIndexOf('.');
        String type = dot < 0 ? null : CONTENT_TYPES.get(rel.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            return null;
        }
        StaticFile cached = files.get(rel);
        if (cached != null) {
            return cached;
        }
        byte[] data;
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream("web/static/" + rel)) {
            if (in == null) {
                return null;
            }
            data = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read embedded web/static/" + rel + ": " + e.getMessage(), e);
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StaticFile f = new StaticFile(data, type, hash);
        files.put(rel, f);
        return f;
    }
}
