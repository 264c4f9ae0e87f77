package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run gets exactly the service's environment on its own free port, and waits on the
 * configured readiness probe, with a real app on this JVM's runtime: an app that reads only
 * {@code SERVER_PORT} (Spring Boot's way; 8080 when unset) trains while something else holds 8080.
 */
class TrainingEnvTest {
    /**
     * An HTTP app in the manner of a framework: it listens on SERVER_PORT (default 8080), never reads
     * PORT for that; it exits 3 unless the service's and the training's own variables are there and
     * its arguments are the service's then the training's. With "health" as the third argument it
     * serves /health/ready; without, every path answers 404 (an app with no health endpoint).
     */
    static final String APP = """
            import com.sun.net.httpserver.HttpServer;
            import java.net.InetSocketAddress;
            public class App {
                public static void main(String[] args) throws Exception {
                    String port = System.getenv().getOrDefault("SERVER_PORT", "8080");
                    if (!"hello $5 ${HOME}".equals(System.getenv("GREETING"))
                            || !("127.0.0.1:" + System.getenv("PORT")).equals(System.getenv("TRAIN_TARGET"))
                            || !port.equals(System.getenv("PORT"))
                            || args.length != 3 || !args[0].equals("serve") || !args[1].equals("--port=" + port)
                            || !System.getProperty("app.home", "").endsWith("layout")) {
                        System.err.println("wrong environment or arguments: SERVER_PORT=" + System.getenv("SERVER_PORT")
                                + " PORT=" + System.getenv("PORT") + " GREETING=" + System.getenv("GREETING")
                                + " TRAIN_TARGET=" + System.getenv("TRAIN_TARGET") + " args=" + String.join(" ", args));
                        System.exit(3);
                    }
                    boolean health = args[2].equals("health");
                    HttpServer s = HttpServer.create(new InetSocketAddress(Integer.parseInt(port)), 0);
                    s.createContext("/", x -> {
                        int code = health && x.getRequestURI().getPath().equals("/health/ready") ? 200 : 404;
                        x.sendResponseHeaders(code, -1);
                        x.close();
                    });
                    s.start();
                }
            }
            """;

    static Path layout(Path dir) throws Exception {
        return layout(dir, APP);
    }

    /** A layout whose {@code app/classes} holds {@code App} compiled from {@code source}, run by this JVM's java. */
    static Path layout(Path dir, String source) throws Exception {
        Path layout = dir.resolve("layout");
        Files.createDirectories(layout.resolve("runtime/bin"));
        Files.createDirectories(layout.resolve("app/classes"));
        Path java = layout.resolve("runtime/bin/java");
        Files.writeString(java, "#!/bin/sh\nexec " + Launcher.singleQuote(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()) + " \"$@\"\n");
        Files.setPosixFilePermissions(java, Launcher.EXECUTABLE);
        Path src = dir.resolve("App.java");
        Files.writeString(src, source);
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-d", layout.resolve("app/classes").toString(), src.toString()), "javac App.java");
        return layout;
    }

    static SlipwayConfig config(Path dir, String readiness, String trainArg) throws IOException {
        return config(dir, readiness, trainArg, "30s");
    }

    static SlipwayConfig config(Path dir, String readiness, String trainArg, String timeout) throws IOException {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: app
                build:
                  jvmOptions: ["-Dapp.home=${APP_HOME}"]
                service:
                  env:
                    SERVER_PORT: "${PORT}"
                    GREETING: "hello $5 ${HOME}"
                  args: [serve, "--port=${PORT}"]
                  readiness: %s
                train:
                  args: [%s]
                  env:
                    TRAIN_TARGET: "${ADDR}:${PORT}"
                  timeout: %s
                """.formatted(readiness, trainArg, timeout));
        return ConfigLoader.loadFromDir(dir);
    }

    /** Holds 127.0.0.1:8080 for the test, unless something else already does; either way 8080 is taken. */
    static ServerSocket hold8080() throws IOException {
        try {
            return new ServerSocket(8080, 50, InetAddress.getByName("127.0.0.1"));
        } catch (BindException e) {
            return null;
        }
    }

    static Console console() {
        return new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
    }

    @Test
    void anAppThatReadsOnlySERVER_PORTTrainsOnAFreePortWhile8080IsTaken(@TempDir Path dir) throws Exception {
        Path layout = layout(dir);
        SlipwayConfig c = config(dir, "{path: /health/ready}", "health");
        try (ServerSocket taken = hold8080()) {
            int runtime = Runtime.version().feature();
            Path cache = Training.train(c, runtime, layout, List.of("app/classes"), "App", console());
            assertTrue(Files.size(cache) > 0, cache + " is empty");
        }
    }

    @Test
    void anAppWithoutAHealthEndpointTrainsOnATcpReadiness(@TempDir Path dir) throws Exception {
        Path layout = layout(dir);
        SlipwayConfig tcp = config(dir, "{type: tcp}", "none");
        assertEquals(List.of("/"), tcp.train().urls(), "it trains on / (a 404 is an answer)");
        try (ServerSocket taken = hold8080()) {
            Path cache = Training.train(tcp, Runtime.version().feature(), layout, List.of("app/classes"), "App", console());
            assertTrue(Files.size(cache) > 0, cache + " is empty");
            // The same app behind an http readiness on a path it does not serve never becomes ready.
            Files.delete(cache);
            SlipwayConfig http = config(dir, "{path: /health/ready}", "none", "3s");
            SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(http,
                    Runtime.version().feature(), layout, List.of("app/classes"), "App", console()));
            assertTrue(e.getMessage().contains("never became ready (readiness http://127.0.0.1:"), e.getMessage());
            assertTrue(e.getMessage().contains("/health/ready: HTTP 404"), e.getMessage());
            // An app that answers 404 serves, but not that path: no timeout helps, the path does.
            assertTrue(e.getMessage().contains("; the app answers, but serves nothing at that path: set service.readiness.path"
                    + " in slipway.yaml to the health path it serves"), e.getMessage());
            assertFalse(e.getMessage().contains("raise train.timeout"), "a 404 is no slow start: " + e.getMessage());
        }
    }

    @Test
    void anAppThatExitsAtStartIsToldToGetItsEnvironmentNotALongerTimeout(@TempDir Path dir) throws Exception {
        Path layout = layout(dir);
        // GREETING is missing: the app exits 3 at start, as a service does without its database URL.
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: app
                build:
                  jvmOptions: ["-Dapp.home=${APP_HOME}"]
                service:
                  env: {SERVER_PORT: "${PORT}"}
                  args: [serve, "--port=${PORT}"]
                  readiness: {path: /health/ready}
                train:
                  args: [health]
                  timeout: 60s
                """);
        SlipwayConfig c = ConfigLoader.loadFromDir(dir);
        long start = System.nanoTime();
        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(c, Runtime.version().feature(),
                layout, List.of("app/classes"), "App", console()));
        String m = e.getMessage();
        assertTrue(m.contains("the training run exited with code 3 before it became ready (readiness http://127.0.0.1:"), m);
        assertTrue(m.contains("a variable in train.env or service.env"), "names where the environment goes: " + m);
        assertTrue(m.contains("'train.enabled: false'"), "names the way out: " + m);
        assertTrue(m.contains("wrong environment or arguments: SERVER_PORT="), "shows the app's own last words: " + m);
        assertTrue(!m.contains("raise train.timeout"), "a crash is no slow start: " + m);
        assertTrue(System.nanoTime() - start < java.time.Duration.ofSeconds(50).toNanos(),
                "fails when the process exits, not at train.timeout");
    }

    @Test
    void anAppListeningOnAnotherPortIsToldWhereItListens(@TempDir Path dir) throws Exception {
        // The app listens on the port of its own configuration (FIXED), as a Quarkus app with
        // quarkus.http.port and no QUARKUS_HTTP_PORT mapping does, and never on PORT.
        Path layout = layout(dir, """
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                public class App {
                    public static void main(String[] args) throws Exception {
                        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1",
                                Integer.parseInt(System.getenv("FIXED"))), 0);
                        s.createContext("/", x -> { x.sendResponseHeaders(200, -1); x.close(); });
                        s.start();
                    }
                }
                """);
        int fixed = Training.freePort();
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: app
                service:
                  env: {FIXED: "%d"}
                  readiness: {path: /health/ready}
                train:
                  timeout: 3s
                """.formatted(fixed));
        SlipwayConfig c = ConfigLoader.loadFromDir(dir);
        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(c, Runtime.version().feature(),
                layout, List.of("app/classes"), "App", console()));
        String m = e.getMessage();
        assertTrue(m.contains("never became ready (readiness http://127.0.0.1:"), m);
        assertTrue(m.matches("(?s).*, though it listens on port " + fixed + ", not on PORT \\d+: the app does not take the"
                + " port Slipway gives it; map it in service.env.*"), m);
        assertTrue(!m.contains("raise train.timeout"), "listening elsewhere is no slow start: " + m);
    }

    @Test
    void theEnvironmentIsTheServicesExpandedThenTrainEnvThenSlipways(@TempDir Path dir) throws Exception {
        SlipwayConfig c = config(dir, "{type: tcp}", "x");
        Map<String, String> env = Training.environment(c, 40123, Path.of("/tmp/d"));
        assertEquals(List.of("GREETING", "SERVER_PORT", "TRAIN_TARGET", "PORT", "ADDR", "DATA_DIR"), List.copyOf(env.keySet()));
        assertEquals("40123", env.get("SERVER_PORT"));
        assertEquals("hello $5 ${HOME}", env.get("GREETING"), "other $ text is the value as written");
        assertEquals("127.0.0.1:40123", env.get("TRAIN_TARGET"));
        assertEquals(Map.of("PORT", "40123", "ADDR", "127.0.0.1", "DATA_DIR", "/tmp/d"),
                Map.of("PORT", env.get("PORT"), "ADDR", env.get("ADDR"), "DATA_DIR", env.get("DATA_DIR")));
        assertNotEquals(8080, Training.freePort());
    }

    /**
     * A new user's finding: a Spring Boot app whose configuration takes its database from the
     * environment ({@code spring.datasource.url=${DATABASE_URL}}) fails its training run with
     * Spring's "'url' must start with \"jdbc\"", which names no variable; the failure names the
     * variables the app needs with no default that the run lacked (what {@code init} warned about),
     * and only those.
     */
    @Test
    void aFailedTrainingNamesTheStartVariablesTheRunLacked(@TempDir Path dir) throws Exception {
        dev.slipway.init.Projects.springBoot3Jpa(dir);
        dev.slipway.init.Projects.write(dir, "src/main/resources/application.properties",
                "spring.datasource.url=${DATABASE_URL}\nspring.datasource.password=${DB_PASSWORD}\n");
        Files.writeString(dir.resolve("slipway.yaml"), "name: demo\n");
        SlipwayConfig config = ConfigLoader.loadFromDir(dir);
        assertEquals(java.util.Optional.of("the app's configuration needs DATABASE_URL, DB_PASSWORD at start with no"
                + " default, and the run had none of them (export them before 'slipway ship', or set them in train.env"
                + " or service.env if not secret; Slipway writes exported values nowhere)"),
                Training.unsetStartVariables(config, Map.of()));
        assertEquals(java.util.Optional.of("the app's configuration needs DB_PASSWORD at start with no default, and the"
                + " run had no value for it (export it before 'slipway ship', or set it in train.env or service.env if"
                + " not secret; Slipway writes exported values nowhere)"),
                Training.unsetStartVariables(config, Map.of("DATABASE_URL", "jdbc:postgresql://db/demo")));
        assertTrue(Training.unsetStartVariables(config, Map.of("DATABASE_URL", "u", "DB_PASSWORD", "p")).isEmpty());
        // A directory init cannot read (no build file): no hint, no failure.
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Files.writeString(plain.resolve("slipway.yaml"), "name: plain\n");
        assertTrue(Training.unsetStartVariables(ConfigLoader.loadFromDir(plain), Map.of()).isEmpty());
    }
}
