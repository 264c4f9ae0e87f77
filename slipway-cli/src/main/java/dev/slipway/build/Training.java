package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.HealthGate;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Startup trained at build time: a training run of the real app on the runtime being shipped
 * records an AOT cache (JDK 24+, JEP 483 and JEP 514: {@code -XX:AOTCacheOutput}) or a dynamic
 * AppCDS archive (JDK 20-23, JEP 350: {@code -XX:ArchiveClassesAtExit}), which the launcher then
 * passes to the JVM. A cache made by another runtime is rejected by the JVM, so only the runtime
 * being shipped can train, which means only the host platform.
 *
 * <p>JDK 17-19 get no trained archive: their dynamic archives record the absolute class path and
 * are rejected when the single file unpacks somewhere else; relocation came with JDK 20
 * (JDK-8279366). Their runtimes keep the default CDS archive that jlink generates.
 */
public final class Training {
    /** The AOT cache inside the layout. */
    public static final String AOT_FILE = "app/app.aot";
    /** The dynamic AppCDS archive inside the layout. */
    public static final String CDS_FILE = "app/app.jsa";

    private Training() {}

    /**
     * Why this runtime is not trained, if it is not.
     *
     * @param config  the service configuration ({@code train.enabled})
     * @param runtime the runtime's JDK feature release
     * @param forHost whether the runtime is for this machine's platform
     * @return the reason, or empty when it should be trained
     */
    public static java.util.Optional<String> skipReason(SlipwayConfig config, int runtime, boolean forHost) {
        if (!config.train().enabled()) {
            return java.util.Optional.of("not trained (train.enabled is false)");
        }
        if (!forHost) {
            return java.util.Optional.of("not trained: only the host platform's runtime can be trained");
        }
        if (runtime < 20) {
            return java.util.Optional.of("not trained: a JDK " + runtime + " archive cannot move to where the single"
                    + " file unpacks (relocation came with JDK 20, JDK-8279366); default CDS archive only");
        }
        return java.util.Optional.empty();
    }

    /** @return the cache file inside the layout for a runtime of this feature release */
    public static String cacheFile(int runtime) {
        return runtime >= 24 ? AOT_FILE : CDS_FILE;
    }

    /**
     * The launcher options that use the trained cache. A cache the JVM rejects (another runtime, a
     * changed jar) is ignored by the JVM; its log is switched off so that nothing leaks to users.
     *
     * @param runtime the runtime's JDK feature release
     * @return JVM options with {@link Launcher#HOME}
     */
    public static List<String> launcherOptions(int runtime) {
        return runtime >= 24
                ? List.of("-Xlog:aot=off", "-Xlog:cds=off", "-XX:AOTCache=" + Launcher.HOME + "/" + AOT_FILE)
                : List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-XX:SharedArchiveFile=" + Launcher.HOME + "/" + CDS_FILE);
    }

    /**
     * Runs the training: starts the app on the layout's runtime with PORT, ADDR and DATA_DIR set,
     * waits for readiness, requests {@code train.urls}, sends SIGTERM and waits for the exit, when
     * the JVM writes the cache. Without URLs it runs the app with {@code train.args} to its exit.
     *
     * @param config    the service configuration
     * @param runtime   the runtime's JDK feature release (20 or newer)
     * @param layout    the layout: {@code runtime/}, {@code app/}
     * @param classpath class path entries relative to the layout
     * @param mainClass the main class
     * @param console   progress
     * @return the cache file written into the layout
     * @throws SlipwayException (exit 1) when the run fails or writes no cache
     */
    public static Path train(SlipwayConfig config, int runtime, Path layout, List<String> classpath, String mainClass,
                             Console console) {
        SlipwayConfig.Train train = config.train();
        boolean aot = runtime >= 24;
        Path cache = layout.resolve(cacheFile(runtime));
        List<String> cmd = new ArrayList<>();
        cmd.add(layout.resolve("runtime/bin/java").toString());
        cmd.addAll(config.build().jvmOptions());
        cmd.add(aot ? "-XX:AOTCacheOutput=" + cache : "-XX:ArchiveClassesAtExit=" + cache);
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classpath.stream().map(e -> layout.resolve(e).toString()).toList()));
        cmd.add(mainClass);
        cmd.addAll(train.args());
        console.timed("training " + (aot ? "an AOT cache" : "an AppCDS archive") + " on the JDK " + runtime + " runtime",
                () -> {
                    run(cmd, train, config);
                    return null;
                });
        if (!Files.isRegularFile(cache)) {
            throw SlipwayException.failed("the training run wrote no " + cache.getFileName()
                    + "; set train.enabled: false to ship without one");
        }
        return cache;
    }

    private static void run(List<String> cmd, SlipwayConfig.Train train, SlipwayConfig config)
            throws IOException, InterruptedException {
        Path data = Files.createTempDirectory("slipway-train");
        Path log = data.resolve("training.log");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(data.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("PORT", String.valueOf(port));
        env.put("ADDR", "127.0.0.1");
        env.put("DATA_DIR", data.resolve("data").toString());
        env.putAll(train.env());
        Process p = pb.start();
        try {
            if (!train.urls().isEmpty()) {
                URI base = URI.create("http://127.0.0.1:" + port + "/");
                SlipwayConfig.Probe probe = new SlipwayConfig.Probe(config.service().readiness().path(),
                        Duration.ofMillis(100), train.timeout(), Duration.ZERO);
                HealthGate.Verdict ready = HealthGate.await(base.resolve(probe.path()), probe, p::isAlive);
                if (!ready.ready()) {
                    throw SlipwayException.failed("the training run never became ready (" + ready.describe() + "):\n"
                            + tail(log));
                }
                for (String url : train.urls()) {
                    HealthGate.Verdict v = HealthGate.probeOnce(base.resolve(url), Duration.ofSeconds(10));
                    if (v.status() == 0) {
                        throw SlipwayException.failed("training request " + url + " failed: " + v.describe());
                    }
                }
                p.destroy();
            }
            if (!p.waitFor(train.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw SlipwayException.failed("the training run did not exit within " + Console.seconds(train.timeout())
                        + ":\n" + tail(log));
            }
            if (p.exitValue() != 0 && train.urls().isEmpty()) {
                throw SlipwayException.failed("the training run exited with " + p.exitValue() + ":\n" + tail(log));
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
            Builder.deleteTree(data);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
