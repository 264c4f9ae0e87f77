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
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The service's own build: runs the build command, then finds the application jar, its runtime
 * dependencies ({@code target/slipway/lib/*.jar}) and its main class.
 */
public final class MavenProject {
    /** Where the default build command copies runtime dependencies, relative to the service. */
    public static final String DEPENDENCY_DIR = "target/slipway/lib";

    private MavenProject() {}

    /**
     * The jars to ship.
     *
     * @param appJar       the application jar
     * @param dependencies runtime dependency jars, sorted by file name
     * @param mainClass    the main class to start
     */
    public record Jars(Path appJar, List<Path> dependencies, String mainClass) {
        /** @return the application jar followed by the dependencies */
        public List<Path> all() {
            List<Path> all = new ArrayList<>();
            all.add(appJar);
            all.addAll(dependencies);
            return all;
        }
    }

    /**
     * Runs {@code build.command} in the service directory; {@code mvn} becomes {@code ./mvnw} when
     * the project has a wrapper.
     *
     * @param config  the service configuration
     * @param console where the build's output goes when it fails
     * @throws SlipwayException (exit 1) when the command fails, with its last output lines
     */
    public static void compile(SlipwayConfig config, Console console) {
        Path dir = config.serviceDir();
        List<String> cmd = new ArrayList<>(config.build().command());
        if (cmd.get(0).equals("mvn") && Files.isExecutable(dir.resolve("mvnw"))) {
            cmd.set(0, "./mvnw");
        }
        // umask 022 for the build: Maven stores file modes in the jars it writes, so under umask 077
        // (directories drwx------) the same commit gave another app jar, training cache key,
        // single file and archive. The files are not secret: they are what the release ships.
        List<String> run = new ArrayList<>(List.of("sh", "-c", "umask 022 && exec \"$@\"", "sh"));
        run.addAll(cmd);
        Exec.Result r = console.timed("compiling (" + String.join(" ", cmd.subList(0, Math.min(cmd.size(), 5)))
                + (cmd.size() > 5 ? " …" : "") + ")", () -> Exec.run(run, dir, Duration.ofMinutes(30)));
        if (r.exitCode() == 127 && r.tail(5).contains(cmd.get(0))) { // sh: exec: NAME: not found
            throw SlipwayException.failed("cannot run " + cmd.get(0) + " (build.command): not found in " + dir
                    + " or on PATH");
        }
        if (r.exitCode() != 0) {
            throw SlipwayException.failed("the build command failed with exit code " + r.exitCode()
                    + " in " + dir + ":\n" + r.tail(30));
        }
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

    /**
     * Finds the jars the build made.
     *
     * @param config the service configuration ({@code build.jar}, {@code main})
     * @return the jars and the main class
     * @throws SlipwayException (exit 2) when there is no runnable jar, several candidates, or no
     *                          main class
     */
    public static Jars locate(SlipwayConfig config) {
        Path dir = config.serviceDir();
        Path jar;
        if (config.build().jar() != null) {
            jar = dev.slipway.config.ServicePaths.requireInside(dir, Path.of(config.build().jar()), "build.jar");
            if (!Files.isRegularFile(jar)) {
                throw SlipwayException.usage("build.jar " + config.build().jar() + " does not exist in " + dir
                        + "; did the build run? (slipway build without --no-compile runs it)");
            }
        } else {
            jar = findAppJar(dir.resolve("target"));
        }
        List<Path> deps = new ArrayList<>();
        Path depDir = dir.resolve(DEPENDENCY_DIR);
        if (Files.isDirectory(depDir)) {
            try (Stream<Path> s = Files.list(depDir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(deps::add);
            } catch (IOException e) {
                throw SlipwayException.failed("cannot list " + depDir + ": " + e.getMessage(), e);
            }
        }
        String main = config.main() != null ? config.main() : mainClassOf(jar);
        if (main == null || main.isBlank()) {
            throw SlipwayException.usage("no main class: " + dir.relativize(jar) + " has no Main-Class in its"
                    + " manifest; set 'main:' in " + config.file().getFileName()
                    + " or configure the jar plugin's mainClass");
        }
        return new Jars(jar, List.copyOf(deps), main);
    }

    private static Path findAppJar(Path target) {
        List<Path> candidates = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (Stream<Path> s = Files.list(target)) {
                s.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.endsWith(".jar") && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar")
                            && !n.endsWith("-tests.jar") && !n.startsWith("original-");
                }).sorted().forEach(candidates::add);
            } catch (IOException e) {
                throw SlipwayException.failed("cannot list " + target + ": " + e.getMessage(), e);
            }
        }
        if (candidates.isEmpty()) {
            throw SlipwayException.usage("no runnable jar: the build left no jar in " + target
                    + " (is the packaging 'jar'? did the build run?)");
        }
        if (candidates.size() > 1) {
            List<Path> runnable = candidates.stream().filter(p -> mainClassOf(p) != null).toList();
            if (runnable.size() == 1) {
                return runnable.get(0);
            }
            throw SlipwayException.usage("several jars in " + target + ": "
                    + candidates.stream().map(p -> p.getFileName().toString()).toList()
                    + "; set build.jar in slipway.yaml to the one to ship");
        }
        return candidates.get(0);
    }

    /** @return the jar manifest's {@code Main-Class}, or {@code null} */
    static String mainClassOf(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            var mf = jf.getManifest();
            return mf == null ? null : mf.getMainAttributes().getValue("Main-Class");
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + jar + " as a jar: " + e.getMessage());
        }
    }
}
