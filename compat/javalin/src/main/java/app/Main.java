package app;

import io.javalin.Javalin;

public class Main {
    public static void main(String[] args) {
        // The port comes from $PORT, as on most platforms that run containers; 7070 otherwise.
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "7070"));
        Javalin.create(/*config*/)
                .get("/hello", ctx -> ctx.result("Hello from Javalin"))
                .start(port);
    }
}
