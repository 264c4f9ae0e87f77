package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run of a service with no port ({@code readiness.type: process}): it runs the service
 * for {@code train.timeout}, then stops it with SIGTERM and takes the cache from that run, instead of
 * waiting for a port that never opens; a run that exits 0 first is done, one that exits otherwise
 * fails the build with its output. A real worker on this JVM's runtime ({@link TrainingEnvTest#layout}).
 */
class TrainingWorkerTest {
    /** Binds nothing; loads a few classes per round; with "exit N" exits with N after a second, with "done" at once. */
    static final String WORKER = """
            public class App {
                public static void main(String[] args) throws Exception {
                    if (args.length > 0 && args[0].equals("done")) {
                        System.out.println("batch done");
                        return;
                    }
                    long start = System.nanoTime();
                    while (true) {
                        new java.util.concurrent.ConcurrentHashMap<String, String>().put("job", String.valueOf(System.nanoTime()));
                        if (args.length > 1 && args[0].equals("exit") && System.nanoTime() - start > 1_000_000_000L) {
                            System.err.println("worker: the broker refused the connection");
                            System.exit(Integer.parseInt(args[1]));
                        }
                        Thread.sleep(100);
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    private SlipwayConfig config(String args) throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: app
                service:
                  readiness: {type: process, timeout: 2s}
                train:
                  args: [%s]
                  timeout: 3s
                """.formatted(args));
        return ConfigLoader.loadFromDir(dir);
    }

    @Test
    void aWorkerIsTrainedByRunningForTheTrainTimeoutThenStopped() throws Exception {
        Path layout = TrainingEnvTest.layout(dir, WORKER);
        SlipwayConfig c = config("");
        long start = System.nanoTime();
        Path cache = Training.train(c, Runtime.version().feature(), layout, List.of("app/classes"), "App",
                TrainingEnvTest.console());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(Files.size(cache) > 0, cache + " is empty");
        assertTrue(ms >= 3000, "it ran for train.timeout (3 s), not until a port opened or it exited: " + ms + " ms");
    }

    @Test
    void aBatchThatExitsZeroFirstIsDone() throws Exception {
        Path layout = TrainingEnvTest.layout(dir, WORKER);
        Path cache = Training.train(config("done"), Runtime.version().feature(), layout, List.of("app/classes"), "App",
                TrainingEnvTest.console());
        assertTrue(Files.size(cache) > 0, cache + " is empty");
    }

    @Test
    void aWorkerThatExitsWithAnErrorFailsTheBuildWithItsOutput() throws Exception {
        Path layout = TrainingEnvTest.layout(dir, WORKER);
        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(config("exit, \"3\""),
                Runtime.version().feature(), layout, List.of("app/classes"), "App", TrainingEnvTest.console()));
        assertTrue(e.getMessage().contains("the training run exited with 3"), e.getMessage());
        assertTrue(e.getMessage().contains("worker: the broker refused the connection")
                || String.valueOf(e.output()).contains("worker: the broker refused the connection"), e.getMessage());
    }
}
