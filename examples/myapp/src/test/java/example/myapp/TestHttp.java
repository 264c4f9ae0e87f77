package example.myapp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Small blocking HTTP helper for tests; every call is bounded by timeouts. */
final class TestHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private TestHttp() {
    }

    static HttpResponse<String> get(int port, String rawPath, Duration timeout) throws IOException, InterruptedException {
        return send(port, "GET", rawPath, timeout);
    }

    static HttpResponse<String> get(int port, String rawPath) throws IOException, InterruptedException {
        return get(port, rawPath, Duration.ofSeconds(5));
    }

    static HttpResponse<String> post(int port, String rawPath, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + rawPath))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String rawPath, String... headers) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + rawPath))
                .timeout(Duration.ofSeconds(10))
                .headers(headers)
                .GET()
                .build();
        return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(int port, String method, String rawPath, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + rawPath))
                .timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    }
}
