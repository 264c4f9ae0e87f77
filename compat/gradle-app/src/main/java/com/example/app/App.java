package com.example.app;

import com.google.gson.Gson;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** GET /hello answers a JSON greeting (Gson); listens on $PORT (default 8080) at $ADDR. */
public final class App {
    private static final Logger LOG = LoggerFactory.getLogger(App.class);

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        String addr = System.getenv().getOrDefault("ADDR", "0.0.0.0");
        Gson gson = new Gson();
        HttpServer server = HttpServer.create(new InetSocketAddress(addr, port), 0);
        server.createContext("/hello", exchange -> {
            byte[] body = gson.toJson(Map.of("message", "Hello from Gradle")).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
        LOG.info("listening on {}:{}", addr, port);
    }
}
