package example.myapp;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import sun.misc.Signal;

/**
 * Command-line entry point ({@code Main-Class} of the jar).
 *
 * <ul>
 *   <li>{@code myapp version} prints version, git commit and build time (three lines), exit 0.</li>
 *   <li>{@code myapp [--config FILE] [--port N] [--addr A]} runs the HTTP server until
 *       SIGTERM/SIGINT, then drains and exits 0. A bad configuration prints one line to stderr
 *       and exits 2; other startup failures print one line and exit 1. SIGHUP reloads the
 *       configuration (see {@link Config}).</li>
 * </ul>
 */
public final class Main {

    /**
     * JDK HTTP server limits applied unless already set (e.g. with {@code -D}), in the spirit of Go's
     * {@code http.Server} {@code ReadHeaderTimeout}, {@code WriteTimeout}, {@code IdleTimeout} and
     * {@code MaxHeaderBytes}: request read timeout 5 s (headers, and the body of a POST), write
     * timeout 30 s, idle timeout 120 s, request head at most {@link #MAX_REQUEST_HEADER_BYTES}
     * bytes in at most 200 header lines, at most {@link #MAX_CONNECTIONS} open connections (more
     * are closed at once, keeping file descriptors for the app), TCP_NODELAY on. Slow clients
     * cannot take every worker: see {@link HttpWorkers}.
     */
    /**
     * Largest accepted request head (request line and headers), in bytes: 32 KiB, nginx's default
     * ({@code large_client_header_buffers 4 8k}); Go's {@code DefaultMaxHeaderBytes} is 1 MB.
     */
    public static final int MAX_REQUEST_HEADER_BYTES = 32 * 1024;

    /** Most open client connections, idle keep-alive ones included. */
    public static final int MAX_CONNECTIONS = 4096;

    private static final String[][] HTTP_LIMIT_DEFAULTS = {
            {"sun.net.httpserver.maxReqTime", "5"},            // seconds to read a request
            {"sun.net.httpserver.maxConnections", String.valueOf(MAX_CONNECTIONS)},
            {"sun.net.httpserver.maxRspTime", "30"},           // seconds from request read to response sent
            {"sun.net.httpserver.idleInterval", "120"},        // seconds an idle keep-alive connection lives
            {"sun.net.httpserver.maxReqHeaderSize", String.valueOf(MAX_REQUEST_HEADER_BYTES)}, // bytes
            {"sun.net.httpserver.maxReqHeaders", "200"},       // header count
            // TCP_NODELAY: the JDK writes headers and body separately; with Nagle on, a keep-alive
            // client's next request waits ~40 ms for the delayed ACK (measured with wrk -c1).
            {"sun.net.httpserver.nodelay", "true"},
    };

    private Main() {
    }

    /**
     * Runs the CLI. See the class documentation for behaviour and exit codes.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        applyHttpLimits(); // must run before the JDK HTTP server implementation is loaded

        if (args.length > 0 && args[0].equals("version")) {
            System.out.print(BuildInfo.load(Main.class.getClassLoader()).format());
            System.out.flush();
            System.exit(0);
        }
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            System.out.print(Config.USAGE);
            System.out.flush();
            System.exit(0);
        }

        Map<String, String> env = Map.copyOf(System.getenv());
        Config config;
        try {
            config = Config.parse(env, args);
        } catch (IllegalArgumentException e) {
            System.err.println("myapp: bad configuration: " + e.getMessage());
            System.err.flush();
            System.exit(2);
            return;
        }
        Log.configure(config.logFormat()); // before the first log line
        Log.setLevel(config.logLevel());

        // The handlers go in before the listener opens: a signal sent once the port accepts (or
        // readiness says 200) must find them, not the JVM's default, which exits on SIGHUP too.
        CompletableFuture<App> started = new CompletableFuture<>();
        installSignalHandlers(started);
        installReload(started, env, args);
        App app;
        try {
            app = App.start(config, BuildInfo.load(Main.class.getClassLoader()));
        } catch (Exception e) {
            String msg = e.getMessage() != null ? e.getMessage() : e.toString();
            System.err.println("myapp: failed to start: " + msg);
            System.err.flush();
            System.exit(1);
            return;
        }
        started.complete(app);
    }

    /**
     * On SIGHUP, re-reads the configuration from the same environment (captured at start), the
     * {@code --config} file and the defaults resource, and applies its reloadable settings (see
     * {@link App#reload}). A configuration that fails to parse is logged and the old one kept.
     * Connections are not touched. A SIGHUP during start-up is applied once the app has started.
     */
    private static void installReload(CompletableFuture<App> started, Map<String, String> env, String[] args) {
        try {
            Signal.handle(new Signal("HUP"), sig -> {
                Thread t = new Thread(() -> {
                    App app = started.join(); // never completes when start fails: the process exits then
                    Config next;
                    try {
                        next = Config.parse(env, args);
                    } catch (IllegalArgumentException e) {
                        Log.warn("received SIGHUP: config not reloaded, keeping the old one: " + e.getMessage());
                        return;
                    }
                    app.reload(next);
                }, "reload");
                t.start();
            });
        } catch (IllegalArgumentException e) {
            Log.warn("cannot handle SIGHUP: " + e.getMessage());
        }
    }

    /**
     * Sets the JDK HTTP server limit system properties ({@code sun.net.httpserver.*}) to this
     * app's defaults unless they are already set. Must be called before the first
     * {@code HttpServer} is created, because the JDK reads them only once.
     */
    public static void applyHttpLimits() {
        for (String[] kv : HTTP_LIMIT_DEFAULTS) {
            if (System.getProperty(kv[0]) == null) {
                System.setProperty(kv[0], kv[1]);
            }
        }
    }

    /**
     * Handles SIGTERM and SIGINT with {@code sun.misc.Signal} (module jdk.unsupported), replacing the
     * JVM's default "run shutdown hooks and exit 128+n": the first signal starts a graceful drain
     * on a new thread and exits 0 when done; later signals are logged and ignored. A signal during
     * start-up drains once the app has started (with nothing in flight, at once).
     */
    private static void installSignalHandlers(CompletableFuture<App> started) {
        AtomicBoolean once = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    String sigName = "SIG" + sig.getName().toUpperCase(Locale.ROOT);
                    if (!once.compareAndSet(false, true)) {
                        App app = started.getNow(null);
                        Log.info("received " + sigName + " again, already draining (in-flight="
                                + (app == null ? 0 : app.inFlight()) + ")");
                        return;
                    }
                    App now = started.getNow(null);
                    if (now != null) {
                        now.beginShutdown(); // readiness goes 503 before anything else happens
                    }
                    Thread t = new Thread(() -> {
                        App app = started.join();
                        app.shutdownGracefully(sigName);
                        System.exit(0);
                    }, "graceful-shutdown");
                    // Signal handlers run on a daemon thread, and a new thread inherits that. Once the
                    // listener and workers stop, a daemon thread alone would let the JVM exit early.
                    t.setDaemon(false);
                    t.start();
                });
            } catch (IllegalArgumentException e) {
                Log.warn("cannot handle SIG" + name + ": " + e.getMessage());
            }
        }
    }
}
