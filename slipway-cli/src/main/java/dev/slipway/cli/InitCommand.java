package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.init.InitFile;
import dev.slipway.init.Project;
import dev.slipway.init.Proposal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway init}: propose a commented slipway.yaml for an existing Maven or Gradle project. */
@Command(name = "init", footerHeading = "%nExample:%n",
        footer = {"  cd my-service && slipway init && slipway check", "  slipway init services/api --main com.acme.Api --force"},
        description = {"Write a commented slipway.yaml for an existing Maven or Gradle project: the artifact, main"
                + " class, JDK and framework (Spring Boot, Quarkus, Micronaut, Helidon SE/MP, Dropwizard, Javalin, plain)"
                + " are read from the build files and sources; the build command, port mapping, arguments and probes"
                + " follow the framework, so that the file ships the project with no edits.",
            "In a multi-module build the file goes to the one application module.",
            "Never overwrites an existing slipway.yaml without --force (exit 2)."})
public final class InitCommand implements Runnable {
    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "PROJECT_DIR",
            description = "The Maven or Gradle project (default: current directory).")
    Path dir;

    @Option(names = "--force", description = "Overwrite an existing slipway.yaml.")
    boolean force;

    @Option(names = "--main", paramLabel = "CLASS", description = "The main class, when the project has several.")
    String main;

    @Option(names = "--port", paramLabel = "PORT",
            description = "The service port (default: 8080, or the fixed port a Javalin or plain app binds).")
    Integer port;

    @Option(names = "--dry-run", description = "Print what was detected and the file; write nothing.")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        Console console = SlipwayCli.console(spec);
        if (port != null && (port < 1 || port > 65535)) {
            throw SlipwayException.usage("--port must be 1-65535, got " + port);
        }
        Project project = Project.detect(dir, main);
        Proposal proposal = Proposal.of(project, port);
        String text = InitFile.render(proposal);
        Path file = project.serviceDir().resolve(ConfigLoader.FILE_NAME);
        InitFile.describe(proposal).forEach(l -> console.progress("  " + l));
        proposal.warnings().forEach(w -> console.progress("warning: " + w));
        int here = buildJdk();
        if (here < project.jdk()) {
            console.progress("warning: the project compiles for Java " + project.jdk() + " but the JDK here ("
                    + (System.getenv("JAVA_HOME") != null ? "$JAVA_HOME" : "the one running Slipway") + ") is " + here
                    + ": set JAVA_HOME to a JDK " + project.jdk() + " or newer before 'slipway build'");
        }
        if (dryRun) {
            console.println(text);
            return;
        }
        if (Files.exists(file) && !force) {
            throw SlipwayException.usage(file + " exists; slipway init does not overwrite it without --force");
        }
        try {
            Path tmp = Files.createTempFile(project.serviceDir(), ".slipway-init", ".yaml");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot write " + file + ": " + e.getMessage(), e);
        }
        SlipwayConfig config = ConfigLoader.loadFromDir(project.serviceDir());
        console.println("wrote " + file + " (" + project.framework().label() + ", service " + config.name()
                + (project.mainClass() == null ? "" : ", main " + project.mainClass()) + ", Java " + project.jdk()
                + "); slipway check: ok");
        // The path as the user would type it next, from the directory they are in.
        String next = Path.of("").toAbsolutePath().relativize(project.serviceDir().toAbsolutePath().normalize())
                .toString().replaceFirst("^$", ".");
        console.println("next: slipway build " + next + "   (then: slipway render ci)");
    }

    /** @return the feature release of $JAVA_HOME (its {@code release} file), else of the running JDK */
    private static int buildJdk() {
        String home = System.getenv("JAVA_HOME");
        if (home != null) {
            try {
                for (String line : Files.readAllLines(Path.of(home, "release"))) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(?:1\\.)?(\\d+)")
                            .matcher(line);
                    if (m.lookingAt()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // No readable release file: fall back to the running JDK.
            }
        }
        return Runtime.version().feature();
    }
}
