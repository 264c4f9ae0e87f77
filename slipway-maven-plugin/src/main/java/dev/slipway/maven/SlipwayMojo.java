package dev.slipway.maven;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * What the goals share: {@code slipway.yaml} from the project directory, the dependencies Maven
 * resolved staged where {@code slipway build} expects them ({@code target/slipway/lib}), Slipway's
 * output in Maven's log, and Slipway's errors as build failures. The goals call the CLI's library
 * code ({@code Builder}, {@code ReleasePipeline}); Maven has already compiled and packaged the jar,
 * so {@code build.command} is not run.
 */
public abstract class SlipwayMojo extends AbstractMojo {
    /** The project being built. */
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    /** Skip this goal. */
    @Parameter(property = "slipway.skip", defaultValue = "false")
    protected boolean skip;

    /** The service directory holding {@code slipway.yaml}. */
    @Parameter(property = "slipway.serviceDir", defaultValue = "${project.basedir}")
    protected File serviceDir;

    /**
     * Where the single files, archives, image, release files and {@code artifacts.json} go: under
     * {@code target/} by default, so that {@code mvn clean} removes them (the CLI writes {@code dist/},
     * and reads this default too when {@code dist/} holds no build).
     */
    @Parameter(property = "slipway.outputDirectory", defaultValue = "${project.build.directory}/slipway/dist")
    protected File outputDirectory;

    /**
     * Maven's reproducible-build timestamp: ISO-8601 ({@code 2026-01-01T00:00:00Z}) or seconds since
     * 1970; when set it is the recorded build time.
     */
    @Parameter(defaultValue = "${project.build.outputTimestamp}")
    protected String outputTimestamp;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("slipway: skipped (slipway.skip)");
            return;
        }
        Path dir = serviceDir.toPath().toAbsolutePath().normalize();
        if (Files.isDirectory(dir) && !Files.exists(dir.resolve(ConfigLoader.FILE_NAME))) {
            throw new MojoFailureException("slipway: no " + ConfigLoader.FILE_NAME + " in " + dir + ": run 'mvn slipway:init'"
                    + " (or 'slipway init') to write one for this project, then check it (docs/adopting.md)");
        }
        try {
            SlipwayConfig config = ConfigLoader.loadFromDir(dir).withDist(outputDirectory.toPath());
            config.warnings().forEach(getLog()::warn);
            stageDependencies(config.serviceDir());
            run(config, console(getLog()));
        } catch (SlipwayException e) {
            throw new MojoFailureException("slipway: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException("slipway: " + e.getMessage(), e);
        }
    }

    /**
     * Runs the goal.
     *
     * @param config  the loaded configuration
     * @param console Maven's log as Slipway's console
     * @throws IOException when staging or writing fails
     */
    protected abstract void run(SlipwayConfig config, Console console) throws IOException;

    /**
     * Copies the runtime-scope dependencies Maven resolved to {@code target/slipway/lib} (emptied
     * first), the place the CLI's default build command fills, and lists them in Maven's class path
     * order in {@code target/slipway/dependencies.txt} in the format of {@code dependency:list}, as
     * the default command does; what goes on the class path is the same either way. Optional
     * dependencies ({@code <optional>true</optional>}) are not copied: they are never shipped.
     */
    private void stageDependencies(Path dir) throws IOException {
        Path lib = dir.resolve(dev.slipway.build.MavenProject.DEPENDENCY_DIR);
        if (Files.isDirectory(lib)) {
            try (var s = Files.list(lib)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(lib);
        StringBuilder list = new StringBuilder("\nThe following files have been resolved:\n");
        for (Artifact a : project.getArtifacts()) {
            if (a.getFile() == null || !List.of("compile", "runtime").contains(a.getScope())
                    || !a.getFile().getName().endsWith(".jar") || a.isOptional()) {
                continue;
            }
            boolean classified = a.getClassifier() != null && !a.getClassifier().isEmpty();
            // The copy-dependencies file name: artifactId-version[-classifier].jar.
            String name = a.getArtifactId() + "-" + a.getBaseVersion() + (classified ? "-" + a.getClassifier() : "") + ".jar";
            Files.copy(a.getFile().toPath(), lib.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
            list.append("   ").append(a.getGroupId()).append(':').append(a.getArtifactId()).append(':').append(a.getType())
                    .append(classified ? ":" + a.getClassifier() : "").append(':').append(a.getBaseVersion())
                    .append(':').append(a.getScope()).append('\n');
        }
        Files.writeString(lib.resolveSibling(dev.slipway.build.Dependencies.LIST_FILE), list.append('\n').toString());
    }

    /**
     * The build time from {@code project.build.outputTimestamp}, as the Maven Archiver reads it
     * (https://maven.apache.org/guides/mini/guide-reproducible-builds.html): ISO-8601 with an offset,
     * or whole seconds since 1970; a value of one character (Maven's convention) or none means unset.
     *
     * @return the instant, or {@code null} when not set
     * @throws SlipwayException (usage) when the value is neither form
     */
    protected Instant buildTime() {
        String v = outputTimestamp == null ? "" : outputTimestamp.trim();
        if (v.length() < 2) {
            return null;
        }
        if (v.chars().allMatch(Character::isDigit)) {
            return Instant.ofEpochSecond(Long.parseLong(v));
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            throw SlipwayException.usage("project.build.outputTimestamp '" + v
                    + "' is neither ISO-8601 with an offset nor seconds since 1970");
        }
    }

    /** @return a console whose lines go to Maven's log at info level */
    static Console console(Log log) {
        return new Console(new PrintWriter(new LogWriter(log), true), new PrintWriter(new LogWriter(log), true), false);
    }

    /** A writer that sends each complete line to {@link Log#info}. */
    static final class LogWriter extends Writer {
        private final Log log;
        private final StringBuilder line = new StringBuilder();

        LogWriter(Log log) {
            this.log = log;
        }

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    log.info(line.toString());
                    line.setLength(0);
                } else if (buf[i] != '\r') {
                    line.append(buf[i]);
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public synchronized void close() {
            if (!line.isEmpty()) {
                log.info(line.toString());
                line.setLength(0);
            }
        }
    }
}
