package com.example.app;

import com.example.greeting.Greeter;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A service on the JDK's built-in HTTP server: GET /hello. Listens on $PORT (default 8080). */
public final class Main {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        String addr = System.getenv().getOrDefault("ADDR", "0.0.0.0");
        Greeter greeter = new Greeter("Hello");
        HttpServer server = HttpServer.create(new InetSocketAddress(addr, port), 0);
        server.createContext("/hello", exchange -> {
            byte[] body = greeter.greet("reactor").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
        System.out.println("listening on " + addr + ":" + port);
    }
}
