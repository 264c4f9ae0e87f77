package example.myapp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server for tests: initdb in a temp dir, listening on a free loopback
 * port, trust auth, fsync off. PostgreSQL refuses to run as root, so as root it runs as the
 * {@code postgres} user (Debian's package creates it) through {@code runuser}.
 */
final class PgServer implements AutoCloseable {
    final Path dir;
    final int port;
    private final Path bin;

    private PgServer(Path dir, int port, Path bin) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
    }

    /** Finds Debian's PostgreSQL binaries (newest major version); fails under CI, else skips. */
    static Path binaries() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        Path found = null;
        if (Files.isDirectory(base)) {
            try (Stream<Path> s = Files.list(base)) {
                found = s.map(p -> p.resolve("bin"))
                        .filter(p -> Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl")))
                        .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                        .orElse(null);
            }
        }
        Tools.requireThat(found != null, "PostgreSQL server is not installed (.ci/run installs postgresql)");
        if (Tools.root()) {
            Tools.require("runuser");
        }
        return found;
    }

    static PgServer start(Path parent) throws Exception {
        Path bin = binaries();
        Path dir = Files.createTempDirectory(parent, "pg");
        if (Tools.root()) {
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
            // the parent temp dirs must be traversable by that user
            for (Path p = parent; p != null && !p.equals(Path.of("/tmp")) && !p.equals(Path.of("/")); p = p.getParent()) {
                p.toFile().setExecutable(true, false);
            }
        }
        int port = Tools.freePort();
        PgServer pg = new PgServer(dir, port, bin);
        pg.run(60, bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "-A", "trust", "-E", "UTF8", "--no-sync");
        pg.startServer();
        return pg;
    }

    /** Starts (or restarts) the server and waits up to 30 s until it accepts connections. */
    void startServer() throws Exception {
        run(40, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", "30", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c full_page_writes=off -c synchronous_commit=off", "start");
    }

    /** Stops the server (fast mode: disconnects clients) and waits until it is down. */
    void stopServer() throws Exception {
        run(40, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "-t", "30",
                "stop");
    }

    String url() {
        return "postgres://postgres@127.0.0.1:" + port + "/postgres";
    }

    private void run(int timeoutSec, String... cmd) throws Exception {
        List<String> full = new ArrayList<>();
        if (Tools.root()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(cmd));
        Path out = Files.createTempFile("pg-cmd", ".log");
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile())
                    .directory(dir.toFile()).start();
            if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", full) + " timed out after " + timeoutSec + " s");
            }
            if (p.exitValue() != 0) {
                String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
                throw new IOException(String.join(" ", full) + " exited " + p.exitValue() + ":\n" + Files.readString(out)
                        + log);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Override
    public void close() throws Exception {
        if (Files.exists(dir.resolve("data/postmaster.pid"))) {
            stopServer();
        }
    }
}
