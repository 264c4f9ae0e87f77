package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
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
     * Runs {@code build.command} in the service directory; {@code mvn} becomes the project's Maven
     * wrapper when it has one ({@link #wrapper}: {@code ./mvnw}, or {@code ../mvnw} from a module).
     *
     * @param config  the service configuration
     * @param console where the build's output goes when it fails
     * @throws SlipwayException (exit 1) when the command fails, with the line that says why and its last output lines
     */
    public static void compile(SlipwayConfig config, Console console) {
        Path dir = config.serviceDir();
        List<String> cmd = new ArrayList<>(config.build().command());
        if (cmd.get(0).equals("mvn")) {
            wrapper(dir).ifPresent(w -> cmd.set(0, w));
        }
        if (withoutExecBit(dir, cmd.get(0))) {
            // A wrapper script that lost its exec bit (a zip unpacked by a tool that drops modes, a
            // checkout with core.fileMode false) is still a POSIX sh script: run it through sh,
            // as its own usage notes suggest, instead of failing with "Permission denied".
            cmd.add(0, "sh");
        }
        // umask 022 for the build: Maven stores file modes in the jars it writes, so under umask 077
        // (directories drwx------) the same commit gave another app jar, training cache key,
        // single file and archive. The files are not secret: they are what the release ships.
        List<String> run = new ArrayList<>(List.of("sh", "-c", "umask 022 && exec \"$@\"", "sh"));
        run.addAll(cmd);
        // The checks run inside the timed step, so a failed build never prints "done" first.
        console.timed("compiling (" + String.join(" ", cmd.subList(0, Math.min(cmd.size(), 5)))
                + (cmd.size() > 5 ? " …" : "") + ")", () -> {
            Exec.Result r = Exec.run(run, dir, Duration.ofMinutes(30),
                    commandEnvironment(config.build().jdk(), System.getenv("PATH")));
            if (r.exitCode() == 127 && r.tail(5).contains(cmd.get(0))) { // sh: exec: NAME: not found
                throw SlipwayException.failed("cannot run " + cmd.get(0) + " (build.command): not found in " + dir
                        + " or on PATH");
            }
            if (r.exitCode() != 0) {
                String hint = tooOldJdkHint(r.output(), config.build().jdk(), Jdk::installedHome)
                        .or(() -> gradleDownloadHint(cmd, r.output()))
                        .map(h -> "\n" + h).orElse("");
                throw SlipwayException.failed("the build command " + ended(r.exitCode())
                        + " in " + dir + ":\n" + r.summary(30) + hint).withOutput(r.output());
            }
            return r;
        });
    }

    /**
     * How a build command ended, for its failure: a status over 128 is a signal's (128 + its
     * number, as sh(1) and the JDK report a process killed by one): Ctrl-C's SIGINT (130) and
     * SIGTERM (143) stopped it, they are no build error.
     *
     * @param exitCode the command's exit status (not 0)
     * @return e.g. {@code failed with exit code 1}, {@code was interrupted (SIGINT, exit code 130)}
     */
    static String ended(int exitCode) {
        return switch (exitCode) {
            case 130 -> "was interrupted (SIGINT, exit code 130)";
            case 143 -> "was stopped (SIGTERM, exit code 143)";
            case 137 -> "was killed (SIGKILL, exit code 137: out of memory, or killed by hand)";
            default -> "failed with exit code " + exitCode;
        };
    }

    /**
     * The Maven wrapper that builds the project in {@code dir}: an {@code mvnw} there (executable or
     * not: {@link #compile} runs one without its exec bit through {@code sh}),
     * else in the nearest directory above it that is still part of the same Maven build (every
     * directory on the way holds a {@code pom.xml}). A multi-module build keeps its wrapper at the
     * reactor root, and a module's build command runs from the module ({@code -f ../pom.xml}):
     * without this it ran the {@code mvn} on PATH, another Maven than the one the wrapper pins
     * ({@code .mvn/wrapper/maven-wrapper.properties}), or none.
     *
     * @param dir the service directory
     * @return the wrapper relative to {@code dir} ({@code ./mvnw}, {@code ../mvnw}), or empty
     */
    static java.util.Optional<String> wrapper(Path dir) {
        Path start = dir.toAbsolutePath().normalize();
        for (Path d = start; d != null && (d.equals(start) || Files.isRegularFile(d.resolve("pom.xml"))); d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("mvnw"))) {
                return java.util.Optional.of(d.equals(start) ? "./mvnw" : start.relativize(d.resolve("mvnw")).toString());
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Whether a build command's program is a file named by a path ({@code ./mvnw}, {@code ../mvnw},
     * {@code ./gradlew}) that exists under {@code dir} without the exec bit, so that exec(2) would
     * refuse it (EACCES) where {@code sh FILE} runs it.
     *
     * @param dir     the directory the command runs in
     * @param program the command's first word
     * @return {@code true} for such a file; {@code false} for a name looked up on PATH or an executable file
     */
    static boolean withoutExecBit(Path dir, String program) {
        if (!program.contains("/")) {
            return false;
        }
        Path file = dir.resolve(program);
        return Files.isRegularFile(file) && !Files.isExecutable(file);
    }

    /** javac's refusal of a release newer than itself (JDK 9+ and JDK 8 wordings). */
    private static final java.util.regex.Pattern RELEASE_NOT_SUPPORTED = java.util.regex.Pattern.compile(
            "(?:release version|invalid target release:|invalid source release:) ?(\\d+)(?: not supported)?");

    /**
     * What to do when a build failed because the JDK it ran on is older than the release the
     * project compiles for (javac: "release version 21 not supported", "invalid target release: 21"),
     * the case {@code slipway init} warns about: names an installed JDK that is new enough for
     * {@code build.jdk}.
     *
     * @param output    the build command's output
     * @param configured {@code build.jdk}, or {@code null} when not set
     * @param installed for a Java feature release, the home of an installed JDK of that release or newer
     * @return the hint line, or empty when the output shows no such refusal
     */
    static java.util.Optional<String> tooOldJdkHint(String output, Path configured,
                                                   java.util.function.IntFunction<java.util.Optional<String>> installed) {
        java.util.regex.Matcher m = RELEASE_NOT_SUPPORTED.matcher(output);
        if (!m.find()) {
            return java.util.Optional.empty();
        }
        int release = Integer.parseInt(m.group(1));
        String jdk = configured != null ? "build.jdk (" + configured + ")" : "the JDK in $JAVA_HOME or on PATH";
        return java.util.Optional.of("hint: the project compiles for Java " + release + " and " + jdk + " is older: "
                + installed.apply(release).map(h -> "set build.jdk in slipway.yaml to " + h + " (installed here)")
                        .orElse("install a JDK " + release + " or newer and set build.jdk in slipway.yaml to it"));
    }

    /** The Gradle wrapper's download of its distribution: its progress line, or its class in a stack trace. */
    private static final java.util.regex.Pattern WRAPPER_DOWNLOAD = java.util.regex.Pattern.compile(
            "Downloading \\S*/gradle-[^/\\s]+\\.zip|org\\.gradle\\.wrapper\\.");

    /**
     * What to do when the Gradle wrapper ({@code ./gradlew}) failed to download the Gradle
     * distribution its {@code gradle/wrapper/gradle-wrapper.properties} names ({@code distributionUrl}),
     * as it does on a machine that cannot reach that host: a wrapper only ever runs the Gradle it
     * downloaded, so the ways out are a reachable {@code distributionUrl} or an installed Gradle.
     *
     * @param command the build command as run ({@code build.command})
     * @param output  its output
     * @return the hint line, or empty when the command is not a wrapper or the output shows no download
     */
    static java.util.Optional<String> gradleDownloadHint(List<String> command, String output) {
        if (command.isEmpty() || !command.get(0).endsWith("gradlew") || !WRAPPER_DOWNLOAD.matcher(output).find()) {
            return java.util.Optional.empty();
        }
        List<String> rest = command.subList(1, command.size());
        String gradle = "[\"gradle\"" + rest.stream().map(a -> ", \"" + a + "\"").reduce("", String::concat) + "]";
        return java.util.Optional.of("hint: the Gradle wrapper could not download Gradle (distributionUrl in"
                + " gradle/wrapper/gradle-wrapper.properties): point distributionUrl at a copy this machine can reach"
                + " (a mirror, or a file: URL of the distribution's zip), or install Gradle and set build.command in"
                + " slipway.yaml to " + gradle);
    }

    /**
     * The variables the build command gets on top of Slipway's environment: with {@code build.jdk},
     * that JDK as {@code JAVA_HOME} and its {@code bin/} first on {@code PATH}, so that Maven, Gradle
     * and their wrappers compile with the JDK the runtime is linked from (a project for Java 21
     * cannot compile on the JDK 17 that {@code java} on {@code PATH} may be).
     *
     * @param jdk  {@code build.jdk}, or {@code null} when it is not set
     * @param path Slipway's {@code PATH}, or {@code null}
     * @return the variables, empty without {@code build.jdk}
     */
    static java.util.Map<String, String> commandEnvironment(Path jdk, String path) {
        if (jdk == null) {
            return java.util.Map.of();
        }
        Path home = jdk.toAbsolutePath().normalize();
        String bin = home.resolve("bin").toString();
        return java.util.Map.of("JAVA_HOME", home.toString(),
                "PATH", path == null || path.isEmpty() ? bin : bin + ":" + path);
    }

    /**
     * Warns when the application jar holds entries that only their owner may read: Maven copies
     * resource files with their modes into the jar, so a checkout made under {@code umask 077}
     * (files 0600) gives another jar, and so another release, than a normal checkout of the same
     * commit. The build command itself runs under umask 022 (see {@link #compile}).
     *
     * @param jar     the application jar
     * @param console where the warning goes
     */
    public static void warnOwnerOnlyModes(Path jar, Console console) {
        List<String> owned = new ArrayList<>();
        try (org.apache.commons.compress.archivers.zip.ZipFile zip =
                     org.apache.commons.compress.archivers.zip.ZipFile.builder().setPath(jar).get()) {
            for (var e : java.util.Collections.list(zip.getEntries())) {
                int mode = e.getUnixMode();
                if (e.getPlatform() == org.apache.commons.compress.archivers.zip.ZipArchiveEntry.PLATFORM_UNIX
                        && mode != 0 && (mode & 0044) != 0044) {
                    owned.add(e.getName());
                }
            }
        } catch (IOException e) {
            return; // not a zip we can read: the build reports it
        }
        if (!owned.isEmpty()) {
            console.progress("  warning: " + dir(jar) + " has " + owned.size() + " entries only their owner may read ("
                    + owned.get(0) + (owned.size() > 1 ? ", ..." : "") + "): the build copied files of a checkout made"
                    + " under umask 077, so this release differs from one built from a normal checkout of the same"
                    + " commit; run 'chmod -R go+rX' on the service directory (or check out under umask 022)");
        }
    }

    private static String dir(Path jar) {
        return jar.getFileName().toString();
    }
}
