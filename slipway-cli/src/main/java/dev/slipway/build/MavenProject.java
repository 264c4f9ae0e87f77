package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The service's own build: runs the build command. {@link BuildOutputs} then finds what it made.
 */
public final class MavenProject {
    /**
     * Where the default build command copies runtime dependencies, relative to the service; the
     * {@code dependency:list} output beside it ({@link Dependencies#LIST_FILE}) gives their order.
     */
    public static final String DEPENDENCY_DIR = "target/slipway/lib";

    private MavenProject() {}

    /**
     * Runs {@code build.command} in the service directory; {@code mvn} becomes {@code ./mvnw} when
     * the project has a wrapper.
     *
     * @param config  the service configuration
     * @param console where the build's output goes when it fails
     * @throws SlipwayException (exit 1) when the command fails, with the line that says why and its last output lines
     */
    public static void compile(SlipwayConfig config, Console console) {
        Path dir = config.serviceDir();
        List<String> cmd = new ArrayList<>(config.build().command());
        if (cmd.get(0).equals("mvn") && Files.isExecutable(dir.resolve("mvnw"))) {
            cmd.set(0, "./mvnw");
        }
        Exec.Result r = console.timed("compiling (" + String.join(" ", cmd.subList(0, Math.min(cmd.size(), 5)))
                + (cmd.size() > 5 ? " …" : "") + ")", () -> Exec.run(cmd, dir, Duration.ofMinutes(30)));
        if (r.exitCode() != 0) {
            throw SlipwayException.failed("the build command failed with exit code " + r.exitCode()
                    + " in " + dir + ":\n" + r.summary(30)).withOutput(r.output());
        }
    }
}
