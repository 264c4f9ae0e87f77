package dev.slipway.maven;

import dev.slipway.SlipwayException;
import dev.slipway.cli.SlipwayCli;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code mvn slipway:init}: what {@code slipway init} does, run by the CLI's own command: a
 * commented {@code slipway.yaml} proposed from the project's build files and sources (artifact,
 * main class, JDK, framework), checked, and {@code /.slipway/} and {@code /dist/} added to the
 * module's {@code .gitignore}. An existing {@code slipway.yaml} is never overwritten without
 * {@code -Dslipway.force}. Not bound to a phase: it is run once, by hand.
 */
@Mojo(name = "init", requiresProject = true, threadSafe = true)
public final class InitMojo extends AbstractMojo {
    /** The project directory to write {@code slipway.yaml} for (a reactor root picks its application module). */
    @Parameter(property = "slipway.serviceDir", defaultValue = "${project.basedir}")
    File serviceDir;

    /** Overwrite an existing {@code slipway.yaml}. */
    @Parameter(property = "slipway.force", defaultValue = "false")
    boolean force;

    /** The main class, when the project has several. */
    @Parameter(property = "slipway.main")
    String main;

    /** The service port (default: 8080, or the fixed port the app binds). */
    @Parameter(property = "slipway.port")
    Integer port;

    /** Print what was detected and the proposed file; write nothing. */
    @Parameter(property = "slipway.dryRun", defaultValue = "false")
    boolean dryRun;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        List<String> args = new ArrayList<>(List.of("init", serviceDir.getAbsolutePath()));
        if (force) {
            args.add("--force");
        }
        if (main != null && !main.isBlank()) {
            args.addAll(List.of("--main", main));
        }
        if (port != null) {
            args.addAll(List.of("--port", port.toString()));
        }
        if (dryRun) {
            args.add("--dry-run");
        }
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter out = new PrintWriter(new SlipwayMojo.LogWriter(getLog()), true)) {
            code = SlipwayCli.run(out, new PrintWriter(err, true), args.toArray(String[]::new));
        }
        List<String> lines = err.toString().lines().toList();
        if (code == 0) {
            lines.forEach(getLog()::info);
            return;
        }
        // The CLI's last line is its error ("slipway: ..."); the rest is progress.
        String message = lines.stream().filter(l -> l.startsWith("slipway: ")).reduce((a, b) -> b)
                .orElse("slipway init exited " + code);
        lines.stream().filter(l -> !l.equals(message) && !l.startsWith("Run '")).forEach(getLog()::info);
        if (code == SlipwayException.USAGE) {
            throw new MojoFailureException(message.replace("slipway init does not overwrite it without --force",
                    "mvn slipway:init does not overwrite it without -Dslipway.force"));
        }
        throw new MojoExecutionException(message);
    }
}
