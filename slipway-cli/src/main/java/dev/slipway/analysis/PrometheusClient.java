package dev.slipway.analysis;

import dev.slipway.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client of Prometheus' HTTP API for instant queries ({@code GET /api/v1/query}), as documented
 * in Prometheus' "HTTP API" page: the answer is {@code {"status":"success","data":{"resultType":
 * "vector"|"scalar"|..., "result": ...}}}, sample values are strings ({@code "0.5"}, {@code "NaN"},
 * {@code "+Inf"}).
 *
 * <p>Thread-safe; one instance can be shared.
 */
public class PrometheusClient {
    private static final ObjectMapper JSON = Json.MAPPER;

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param baseUrl the Prometheus root, e.g. {@code http://127.0.0.1:9090} (a path prefix is kept)
     * @param timeout the longest one query may take, connect included
     */
    public PrometheusClient(URI baseUrl, Duration timeout) {
        String s = baseUrl.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** @return the Prometheus root this client queries */
    public URI baseUrl() {
        return base;
    }

    /**
     * One sample of a query result.
     *
     * @param labels the series labels (empty for a scalar or an aggregated vector)
     * @param time   the evaluation time
     * @param value  the value; may be {@code NaN} or infinite
     */
    public record Sample(Map<String, String> labels, Instant time, double value) {}

    /**
     * Evaluates {@code promql} at {@code time}.
     *
     * @param promql the PromQL expression
     * @param time   the evaluation time (sent in seconds with millisecond precision)
     * @return the samples: none for an empty vector, one for a scalar; matrix and string results
     *         are rejected
     * @throws PrometheusException when Prometheus cannot be reached, answers with an HTTP error or
     *                             {@code "status":"error"} (the error text is in the message), or
     *                             the answer is not the API's JSON
     */
    public List<Sample> query(String promql, Instant time) {
        String ts = String.format(java.util.Locale.ROOT, "%.3f", time.toEpochMilli() / 1000.0);
        URI uri = base.resolve("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time=" + ts);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("Accept", "application/json").build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof java.net.ConnectException && e.getMessage() == null) {
                why = "connection refused";
            }
            throw new PrometheusException("Prometheus at " + base + " is unreachable: " + why, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrometheusException("interrupted while querying Prometheus at " + base, e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new PrometheusException("Prometheus at " + base + " answered HTTP " + resp.statusCode()
                    + " with a body that is not JSON (is this Prometheus?)", e);
        }
        if (root == null || !root.isObject()) {
            throw new PrometheusException("Prometheus at " + base + " answered HTTP " + resp.statusCode()
                    + " without a JSON object");
        }
        if (!"success".equals(root.path("status").asText())) {
            throw new PrometheusException("Prometheus at " + base + " rejected the query (HTTP " + resp.statusCode()
                    + ", " + root.path("errorType").asText("error") + "): " + root.path("error").asText("")
                    + " [query: " + promql + "]");
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asText();
        JsonNode result = data.path("result");
        List<Sample> out = new ArrayList<>();
        switch (type) {
            case "vector" -> {
                for (JsonNode s : result) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    s.path("metric").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
                    out.add(sample(labels, s.path("value")));
                }
            }
            case "scalar" -> out.add(sample(Map.of(), result));
            default -> throw new PrometheusException("the query returned a " + type
                    + "; an analysis needs an instant vector or a scalar [query: " + promql + "]");
        }
        return out;
    }

    private Sample sample(Map<String, String> labels, JsonNode pair) {
        if (!pair.isArray() || pair.size() != 2) {
            throw new PrometheusException("Prometheus at " + base + " sent a sample that is not [time, \"value\"]");
        }
        double t = pair.get(0).asDouble();
        String v = pair.get(1).asText();
        double value = switch (v) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new PrometheusException("Prometheus at " + base + " sent the value '" + v + "', not a number");
                }
            }
        };
        return new Sample(Map.copyOf(labels), Instant.ofEpochMilli(Math.round(t * 1000)), value);
    }
}
