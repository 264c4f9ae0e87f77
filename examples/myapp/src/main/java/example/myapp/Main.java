package example.myapp;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import sun.misc.Signal;

/**
 * Command-line entry point ({@code Main-Class} of the jar).
 *
 * <ul>
 *   <li>{@code myapp version} prints version, git commit and build time (three lines), exit 0.</li>
 *   <li>{@code myapp [--port N] [--addr A]} runs the HTTP server until SIGTERM/SIGINT, then drains
 *       and exits 0. Startup failures print one line to stderr and exit 1.</li>
 * </ul>
 */
public final class Main {

    /**
     * JDK HTTP server limits applied unless already set (e.g. with {@code -D}). Values: read
     * timeout 10 s, write timeout 30 s, idle timeout 120 s, max request header size 1 MiB (bytes),
     * max request header count 200.
     */
    private static final String[][] HTTP_LIMIT_DEFAULTS = {
            {"sun.net.httpserver.maxReqTime", "10"},           // seconds to read a request
            {"sun.net.httpserver.maxRspTime", "30"},           // seconds from request read to response sent
            {"sun.net.httpserver.idleInterval", "120"},        // seconds an idle keep-alive connection lives
            {"sun.net.httpserver.maxReqHeaderSize", "1048576"}, // bytes
            {"sun.net.httpserver.maxReqHeaders", "200"},       // header count
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

        App app;
        try {
            Config config = Config.parse(System.getenv(), args);
            app = App.start(config, BuildInfo.load(Main.class.getClassLoader()));
        } catch (Exception e) {
            String msg = e.getMessage() != null ? e.getMessage() : e.toString();
            System.err.println("myapp: failed to start: " + msg);
            System.err.flush();
            System.exit(1);
            return;
        }
        installSignalHandlers(app);
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
     * on a new thread and exits 0 when done; later signals are logged and ignored.
     */
    private static void installSignalHandlers(App app) {
        AtomicBoolean once = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    String sigName = "SIG" + sig.getName().toUpperCase(Locale.ROOT);
                    if (!once.compareAndSet(false, true)) {
                        Log.info("received " + sigName + " again, already draining (in-flight=" + app.inFlight() + ")");
                        return;
                    }
                    app.beginShutdown(); // readiness goes 503 before anything else happens
                    Thread t = new Thread(() -> {
                        app.shutdownGracefully(sigName);
                        System.exit(0);
                    }, "graceful-shutdown");
                    t.start();
                });
            } catch (IllegalArgumentException e) {
                Log.warn("cannot handle SIG" + name + ": " + e.getMessage());
            }
        }
    }
}
