package example.myapp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** myapp as a child JVM on a free loopback port, its output in a log file. */
final class ChildApp implements AutoCloseable {
    final Process process;
    final int port;
    final Path log;

    private ChildApp(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static ChildApp start(Path dir, Map<String, String> env, List<String> jvmArgs, String... args) throws IOException {
        int port = Tools.freePort();
        Path log = dir.resolve("child-" + port + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "example.myapp.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> List.of("SHUTDOWN_DELAY_MS", "DATABASE_URL", "REDIS_URL", "LOG_LEVEL",
                "LOG_FORMAT", "TRACK", "TRUSTED_PROXIES", "DEBUG_ENDPOINTS", "CACHE_TTL").contains(k));
        pb.environment().put("PORT", String.valueOf(port));
        pb.environment().put("ADDR", "127.0.0.1");
        pb.environment().put("DATA_DIR", dir.resolve("data-" + port).toString());
        pb.environment().put("DRAIN_TIMEOUT", "20");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return new ChildApp(pb.start(), port, log);
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /** Waits up to 20 s for readiness 200. */
    void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int i = 0; i < 400 && System.nanoTime() < deadline; i++) {
            if (!process.isAlive()) {
                fail("child exited early with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (TestHttp.get(port, "/health/ready", Duration.ofSeconds(3)).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        fail("child not ready within 20 s:\n" + output());
    }

    /** Waits up to {@code seconds} until the output contains {@code text}. */
    boolean awaitOutput(String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < seconds * 50 && System.nanoTime() < deadline; i++) {
            if (output().contains(text)) {
                return true;
            }
            Thread.sleep(20);
        }
        return output().contains(text);
    }

    void signal(String name) throws Exception {
        // A signal ignored when the JVM started stays ignored (HotSpot installs no handler for it):
        // under 'nohup' (SIGHUP) or a background job without job control (SIGINT) the app never
        // sees it, and the test would fail as a timeout instead of saying why.
        int number = switch (name) {
            case "HUP" -> 1;
            case "INT" -> 2;
            case "TERM" -> 15;
            default -> 0;
        };
        if (number > 0) {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("SigIgn:") && (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (number - 1))) != 0) {
                    fail("SIG" + name + " is ignored in the app, as it was in the test JVM that started it (e.g. 'nohup mvn"
                            + " test'): the app cannot see it; run the tests without nohup, in the foreground or with 'set -m'");
                }
            }
        }
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            fail("kill -" + name + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
