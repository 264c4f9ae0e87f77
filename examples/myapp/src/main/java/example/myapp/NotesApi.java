package example.myapp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The notes API. {@code POST /api/notes} takes {@code {"title": "...", "body": "..."}} (a body of
 * at most {@code max.body.bytes}, else 413; bad JSON or fields 400) and answers 201 with the note
 * and its {@code Location}. {@code GET /api/notes/{id}} reads through the Redis cache when one is
 * configured ({@code X-Cache: hit} or {@code miss}; a cache failure falls back to the database
 * and is counted), else from the database. An unavailable database is 503.
 */
final class NotesApi {
    private static final Pattern NOTE_ID = Pattern.compile("[1-9][0-9]{0,17}");

    /** Jackson, made on first use: building an ObjectMapper loads ~400 classes (start time). */
    private static final class Jackson {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private final Database database;
    private final NoteCache cache;
    private final Supplier<Config> config;
    private final Counter cacheHits;
    private final Counter cacheMisses;
    private final Counter cacheErrors;

    /**
     * @param database the database
     * @param cache    the Redis cache, or {@code null} when none is configured
     * @param config   the configuration in effect (body limit, cache TTL; reloadable)
     * @param registry where the cache counters {@code myapp.cache.requests{result}} go
     */
    NotesApi(Database database, NoteCache cache, Supplier<Config> config, MeterRegistry registry) {
        this.database = database;
        this.cache = cache;
        this.config = config;
        this.cacheHits = cacheCounter(registry, "hit");
        this.cacheMisses = cacheCounter(registry, "miss");
        this.cacheErrors = cacheCounter(registry, "error");
    }

    private static Counter cacheCounter(MeterRegistry registry, String result) {
        return Counter.builder("myapp.cache.requests").description("note reads from the Redis cache")
                .tag("result", result).register(registry);
    }

    /**
     * {@code POST /api/notes}.
     *
     * @param ex the exchange
     * @throws IOException if the client went away
     */
    void create(HttpExchange ex) throws IOException {
        long max = config.get().maxBodyBytes();
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > max) {
                    Http.sendError(ex, 413, "body larger than " + max + " bytes");
                    return;
                }
            } catch (NumberFormatException e) {
                Http.sendError(ex, 400, "bad Content-Length");
                return;
            }
        }
        byte[] raw;
        try (InputStream in = ex.getRequestBody()) {
            raw = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        }
        if (raw.length > max) {
            Http.sendError(ex, 413, "body larger than " + max + " bytes");
            return;
        }
        JsonNode doc;
        try {
            doc = Jackson.MAPPER.readTree(raw);
        } catch (IOException e) {
            Http.sendError(ex, 400, "body is not valid JSON");
            return;
        }
        if (doc == null || !doc.isObject()) {
            Http.sendError(ex, 400, "body must be a JSON object");
            return;
        }
        JsonNode title = doc.get("title");
        JsonNode body = doc.get("body");
        if (title == null || !title.isTextual() || title.asText().isBlank()) {
            Http.sendError(ex, 400, "field \"title\" is required: a non-empty string");
            return;
        }
        if (body == null || !body.isTextual()) {
            Http.sendError(ex, 400, "field \"body\" is required: a string");
            return;
        }
        if (title.asText().length() > Note.MAX_TITLE || body.asText().length() > Note.MAX_BODY) {
            Http.sendError(ex, 400, "title is limited to " + Note.MAX_TITLE + " and body to " + Note.MAX_BODY + " characters");
            return;
        }
        Note note;
        try {
            note = database.insert(title.asText(), body.asText());
        } catch (SQLException e) {
            Log.warn("create note: " + Http.oneLine(e));
            Http.sendError(ex, 503, "database unavailable");
            return;
        }
        ex.getResponseHeaders().set("Location", "/api/notes/" + note.id());
        Http.sendJsonText(ex, 201, noteJson(note));
    }

    /**
     * {@code GET /api/notes/{id}}.
     *
     * @param ex    the exchange
     * @param rawId the path after {@code /api/notes/}, raw
     * @throws IOException if the client went away
     */
    void get(HttpExchange ex, String rawId) throws IOException {
        if (!NOTE_ID.matcher(rawId).matches()) {
            Http.sendError(ex, 404, "not found");
            return;
        }
        long id = Long.parseLong(rawId);
        if (cache != null) {
            try {
                Optional<String> hit = cache.get(id);
                if (hit.isPresent()) {
                    cacheHits.increment();
                    ex.getResponseHeaders().set("X-Cache", "hit");
                    Http.sendJsonText(ex, 200, hit.get());
                    return;
                }
                cacheMisses.increment();
            } catch (RuntimeException e) {
                cacheErrors.increment();
                Log.warn("cache read failed, using the database: " + Http.oneLine(e));
            }
        }
        Optional<Note> note;
        try {
            note = database.find(id);
        } catch (SQLException e) {
            Log.warn("get note: " + Http.oneLine(e));
            Http.sendError(ex, 503, "database unavailable");
            return;
        }
        if (note.isEmpty()) {
            Http.sendError(ex, 404, "not found");
            return;
        }
        String text = noteJson(note.get());
        if (cache != null) {
            try {
                cache.put(id, text, config.get().cacheTtlSec());
                ex.getResponseHeaders().set("X-Cache", "miss");
            } catch (RuntimeException e) {
                cacheErrors.increment();
                Log.warn("cache write failed: " + Http.oneLine(e));
            }
        }
        Http.sendJsonText(ex, 200, text);
    }

    private static String noteJson(Note n) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("title", n.title());
        m.put("body", n.body());
        m.put("created_at", n.createdAt().toString());
        return Jackson.MAPPER.writeValueAsString(m);
    }
}
