package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.build.Jdk;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.init.InitFile;
import dev.slipway.init.Project;
import dev.slipway.init.Proposal;
import dev.slipway.remote.Shell;
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
        footer = {"  cd my-service && slipway init && slipway ship", "  slipway init services/api --main com.acme.Api --force"},
        description = {"Write a commented slipway.yaml for an existing Maven or Gradle project: the artifact, main"
                + " class, JDK and framework (Spring Boot, Quarkus, Micronaut, Helidon SE/MP, Dropwizard, Javalin, Vert.x, plain)"
                + " are read from the build files and sources; the build command, port mapping, arguments and probes"
                + " follow the framework, so that the file ships the project with no edits.",
            "In a multi-module build the file goes to the one application module.",
            "Adds /.slipway/ and /dist/ to the module's .gitignore when they are missing (creating the file).",
            "Never overwrites an existing slipway.yaml without --force (exit 2); with it, keeps the one it replaces as slipway.yaml.bak."})
public final class InitCommand implements Runnable {
    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "PROJECT_DIR",
            description = "The Maven or Gradle project (default: current directory).")
    Path dir;

    @Option(names = "--force", description = "Overwrite an existing slipway.yaml (kept as slipway.yaml.bak when it differs).")
    boolean force;

    @Option(names = "--main", paramLabel = "CLASS", description = "The main class, when the project has several.")
    String main;

    @Option(names = "--port", paramLabel = "PORT",
            description = "The service port (default: the port the framework's configuration sets, such as Spring Boot's"
                    + " server.port, or the fixed port a Javalin, Vert.x or plain app binds; else 8080).")
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
        jdkWarning(project.jdk()).ifPresent(w -> console.progress("warning: " + w));
        if (dryRun) {
            console.println(text);
            return;
        }
        if (Files.exists(file) && !force) {
            throw SlipwayException.usage(file + " exists; slipway init does not overwrite it without --force");
        }
        // --force replaces the file, but never loses it: what it replaces, when it differs (the
        // user's edits), is kept beside it.
        Path kept = file.resolveSibling(ConfigLoader.FILE_NAME + ".bak");
        boolean keep;
        try {
            keep = Files.exists(file) && !Files.readString(file).equals(text);
            if (keep) {
                Files.copy(file, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            }
            Path tmp = Files.createTempFile(project.serviceDir(), ".slipway-init", ".yaml");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot write " + file + ": " + e.getMessage(), e);
        }
        if (keep) {
            console.println("kept the " + ConfigLoader.FILE_NAME + " it replaces as " + kept
                    + " (diff them to carry your edits over)");
        }
        SlipwayConfig config = ConfigLoader.loadFromDir(project.serviceDir());
        console.println("wrote " + file + " (" + project.framework().label() + ", service " + config.name()
                + (project.mainClass() == null ? "" : ", main " + project.mainClass()) + ", Java " + project.jdk()
                + "); slipway check: ok");
        // The paths as the user would type them next, from the directory they are in (a module's
        // slipway.yaml is <module>/slipway.yaml from the reactor root).
        Path fromHere = asTyped(project.serviceDir(), Path.of("").toAbsolutePath());
        // Quoted for sh (a path with a space or a quote pastes as one argument).
        String next = Shell.quote(fromHere.toString().replaceFirst("^$", "."));
        String ignored = ignoreSlipwayFiles(project.serviceDir());
        if (ignored != null) {
            console.println(ignored);
        }
        if (dev.slipway.render.CiWorkflow.repoRoot(project.serviceDir(), null) != null) {
            // The version comes from git (git describe): uncommitted files make it <version>-dirty.
            console.println("commit what init wrote (git add " + Shell.quote(fromHere.resolve(ConfigLoader.FILE_NAME).toString())
                    + (ignored == null ? "" : " " + Shell.quote(fromHere.resolve(".gitignore").toString()))
                    + " && git commit), or the first ship's version ends in -dirty");
        }
        console.println("next: slipway ship " + next + "   (then: slipway build " + next + " for a release file,"
                + " slipway render ci for a CI workflow)");
    }

    /** The .gitignore patterns for what Slipway writes in the service directory: its state and its build output. */
    static final java.util.List<String> IGNORED = java.util.List.of("/.slipway/", "/dist/");

    /**
     * Adds {@link #IGNORED} to the service directory's {@code .gitignore} (created when missing),
     * each only when no line ignores it yet ({@code .slipway}, {@code .slipway/}, {@code /.slipway},
     * {@code /.slipway/}; the same for {@code dist}), as GoReleaser's init does for {@code dist/}. The
     * patterns are anchored (gitignore(5): a leading slash matches relative to the file's
     * directory), so that a {@code dist/} elsewhere in the sources (a web front end's) stays tracked.
     *
     * @param dir the service directory
     * @return what was done, for the output, or {@code null} when nothing was missing
     * @throws SlipwayException (exit 1) when the file cannot be read or written
     */
    static String ignoreSlipwayFiles(Path dir) {
        Path file = dir.resolve(".gitignore");
        try {
            String text = Files.isRegularFile(file) ? Files.readString(file) : null;
            java.util.Set<String> lines = new java.util.HashSet<>();
            if (text != null) {
                text.lines().map(String::trim).forEach(lines::add);
            }
            java.util.List<String> missing = IGNORED.stream().filter(pattern -> {
                String bare = pattern.replaceAll("^/|/$", "");
                return java.util.stream.Stream.of(bare, bare + "/", "/" + bare, "/" + bare + "/").noneMatch(lines::contains);
            }).toList();
            if (missing.isEmpty()) {
                return null;
            }
            StringBuilder add = new StringBuilder();
            if (text != null && !text.isEmpty() && !text.endsWith("\n")) {
                add.append('\n');
            }
            add.append(text == null || text.isEmpty() ? "" : "\n").append("# Slipway: local deploy state and build output\n");
            missing.forEach(m -> add.append(m).append('\n'));
            Files.writeString(file, add.toString(), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            return (text == null ? "created " : "added " + String.join(" and ", missing) + " to ") + file
                    + (text == null ? " ignoring " + String.join(" and ", missing) : "");
        } catch (IOException e) {
            throw SlipwayException.failed("cannot update " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Says when the JDK the build would use (the one {@link Jdk#locate} finds without
     * {@code build.jdk}: $JAVA_HOME, the JDK running Slipway from a checkout, or {@code java} on
     * PATH) is older than the project's Java release, naming an installed JDK that is new enough.
     *
     * @param needed the Java release the project compiles for
     * @return the warning, or empty when that JDK is new enough or none is found (build says so)
     */
    static java.util.Optional<String> jdkWarning(int needed) {
        Jdk here;
        try {
            here = Jdk.locate(null);
        } catch (SlipwayException e) {
            return java.util.Optional.empty();
        }
        if (here.feature() >= needed) {
            return java.util.Optional.empty();
        }
        String fix = Jdk.installedAtLeast(needed)
                .map(j -> "set build.jdk in slipway.yaml to " + j.home() + " (Java " + j.feature() + ", installed here)")
                .orElse("install a JDK " + needed + " or newer and set build.jdk in slipway.yaml (or JAVA_HOME) to it");
        return java.util.Optional.of("the project compiles for Java " + needed + " but the JDK here (" + here.home()
                + ") is " + here.feature() + ": " + fix + " before 'slipway build'");
    }

    /**
     * A directory as the user would type it next from {@code cwd}: relative to it, unless that climbs
     * out so far that the absolute path is shorter ({@code /tmp/x}, not {@code ../../../tmp/x}).
     *
     * @param dir the directory to name
     * @param cwd the absolute directory the user is in
     * @return the relative path ({@code ""} for {@code cwd} itself), or the absolute one when shorter
     */
    static Path asTyped(Path dir, Path cwd) {
        Path absolute = dir.toAbsolutePath().normalize();
        Path relative = cwd.relativize(absolute);
        return relative.toString().length() <= absolute.toString().length() ? relative : absolute;
    }
}
