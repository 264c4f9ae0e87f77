package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Trees;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/** Finds the JDK modules an app needs (jdeps and {@link ModuleRules}) and links a runtime of just those (jlink, JEP 282). */
public final class Jlink {
    private Jlink() {}

    /**
     * The modules linked when jdeps cannot tell (see {@link #modules}): the {@code java.se}
     * aggregator (every Java SE API) plus the jdk.* modules that Java SE APIs and common libraries
     * reach through service loading or by name: charsets ({@code Charset.forName}), jdk.crypto.ec
     * (TLS on JDK 17-21), jdk.httpserver (the JDK's HTTP server), jdk.jfr and
     * jdk.management.jfr (Flight Recorder), jdk.localedata (non-English locales),
     * jdk.management and jdk.management.agent (com.sun.management MXBeans, JMX remote),
     * jdk.naming.dns (JNDI DNS), jdk.net (extended socket options, used by Netty and Jetty),
     * jdk.random (JEP 356 generators, JDK 17-22), jdk.security.auth and jdk.security.jgss
     * (JAAS and Kerberos logins: Kafka SASL, SPNEGO), jdk.unsupported ({@code sun.misc.Unsafe}),
     * jdk.zipfs (zip file systems). Development tools (jdk.compiler, jdk.jshell, ...) are not
     * included: a service does not run them. Modules the linking JDK lacks are left out.
     */
    public static final List<String> FALLBACK = List.of("java.se", "jdk.charsets", "jdk.crypto.ec", "jdk.httpserver",
            "jdk.jfr", "jdk.localedata", "jdk.management", "jdk.management.agent", "jdk.management.jfr", "jdk.naming.dns",
            "jdk.net", "jdk.random", "jdk.security.auth", "jdk.security.jgss", "jdk.unsupported", "jdk.zipfs");

    /**
     * The modules chosen for a runtime, and what the build prints about how.
     *
     * @param modules the sorted module set, e.g. {@code [java.base, jdk.httpserver]}
     * @param notes   progress lines: modules the rules added and why, a fallback's warning
     */
    public record ModuleSet(List<String> modules, List<String> notes) {}

    /** jdeps failed; {@code cause} is the line of its output that says why. */
    static final class JdepsFailure extends Exception {
        final String cause;

        JdepsFailure(String cause) {
            super(cause);
            this.cause = cause;
        }
    }

    /**
     * Chooses the JDK modules of the runtime.
     *
     * <p>With {@code build.detectModules: false}, exactly {@code build.modules} (plus java.base),
     * without running jdeps. Otherwise:
     * <ol>
     *   <li>jdeps ({@code --list-deps --ignore-missing-deps --multi-release <feature>}: every
     *       module used, not the reduced list of {@code --print-module-deps}, so that excluding a
     *       module never drops another that the app uses itself)
     *       analyses every jar as a class-path archive, never as a module: a jar with a
     *       {@code module-info.class} (also under {@code META-INF/versions/N/}) is given as a
     *       directory of its classes for the target release, without the descriptor, since a
     *       descriptor that requires a module the app does not ship ({@code FindException}), names
     *       a package the jar lacks (native-only jars), or sits in a jar with classes in the unnamed
     *       package makes jdeps resolve modules and abort. Every jar is analysed, so jars reached only
     *       through {@code ServiceLoader} or reflection (JDBC drivers, logging backends) count too;</li>
     *   <li>if that fails, only the application jar(s) are analysed, with the dependencies on
     *       {@code --class-path}, where jdeps follows only what the app references;</li>
     *   <li>if that fails too, {@link #FALLBACK}, with a warning that names jdeps' cause line;</li>
     *   <li>{@link ModuleRules} add what no static reference shows (zip file systems, TLS, locales,
     *       agents, ...);</li>
     *   <li>then {@code build.modules} is added and {@code build.excludeModules} removed
     *       (java.base always stays).</li>
     * </ol>
     *
     * @param jdk          the linking JDK (its jdeps, its release, its module list)
     * @param appJars      the application jar(s)
     * @param dependencies the dependency jars, in class path order
     * @param build        {@code build.modules}, {@code build.excludeModules}, {@code build.detectModules},
     *                     {@code build.jvmOptions}
     * @return the module set and the notes to print
     * @throws SlipwayException exit 2 when {@code build.modules} names a module the JDK does not
     *                          have; exit 1 when the jars cannot be read
     */
    public static ModuleSet modules(Jdk jdk, List<Path> appJars, List<Path> dependencies, SlipwayConfig.Build build) {
        JdkModules jm = JdkModules.of(jdk.home());
        for (String m : build.modules()) {
            if (!jm.has(m)) {
                String close = dev.slipway.config.Suggest.closest(m, jm.modules());
                throw SlipwayException.usage("build.modules names " + m + ", which the JDK " + jdk.version() + " at "
                        + jdk.home() + " does not have" + (close != null ? "; did you mean " + close + "?" : "")
                        + " (java --list-modules lists them)");
            }
        }
        List<String> notes = new ArrayList<>();
        TreeSet<String> modules = new TreeSet<>();
        if (!build.detectModules()) {
            notes.add("build.detectModules is false: linking exactly build.modules (jdeps and the module rules do not run)");
        } else {
            try {
                modules.addAll(jdeps(jdk, appJars, dependencies, notes));
            } catch (JdepsFailure e) {
                List<String> wide = FALLBACK.stream().filter(jm::has)
                        .filter(m -> !m.equals("jdk.crypto.ec") || jdk.feature() < 22).toList();
                modules.addAll(wide);
                notes.add("warning: jdeps could not list the modules the app needs:");
                e.cause.lines().forEach(l -> notes.add("  " + l));
                List<String> broken = unreadable(appJars, dependencies);
                if (!broken.isEmpty()) {
                    notes.add("  not readable as jars (zip files): " + String.join(", ", broken));
                }
                notes.add("  linking a wider set instead: " + String.join(",", wide)
                        + ". To link fewer, list them in build.modules and set build.detectModules: false");
            }
            try {
                List<ModuleRules.Added> added = ModuleRules.apply(JarScan.of(appJars), JarScan.of(dependencies), modules,
                        build.jvmOptions(), jm, jdk.feature());
                for (ModuleRules.Added a : added) {
                    notes.add("module rule: " + a);
                    modules.add(a.module());
                }
            } catch (IOException e) {
                throw SlipwayException.failed("cannot read the jars to apply the module rules: " + e.getMessage(), e);
            }
        }
        modules.addAll(build.modules());
        if (build.detectModules()) {
            for (String m : build.excludeModules()) {
                if (modules.remove(m)) {
                    notes.add("left out " + m + " (build.excludeModules)");
                }
            }
        }
        modules.add("java.base");
        return new ModuleSet(List.copyOf(modules), List.copyOf(notes));
    }

    /** @return the paths of the jars that are not zip files */
    private static List<String> unreadable(List<Path> appJars, List<Path> dependencies) {
        List<String> out = new ArrayList<>();
        for (Path jar : java.util.stream.Stream.concat(appJars.stream(), dependencies.stream()).toList()) {
            try (JarFile jf = new JarFile(jar.toFile(), false)) {
                jf.size();
            } catch (IOException e) {
                out.add(jar + " (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    /** Runs jdeps on every jar as a class-path archive, then on the application jars alone (see {@link #modules}). */
    static List<String> jdeps(Jdk jdk, List<Path> appJars, List<Path> dependencies, List<String> notes) throws JdepsFailure {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("slipway-jdeps");
        } catch (IOException e) {
            throw SlipwayException.failed("cannot create a temporary directory for jdeps: " + e.getMessage(), e);
        }
        try {
            List<Path> apps = new ArrayList<>();
            List<Path> all = new ArrayList<>();
            for (Path jar : appJars) {
                Path p = asClassPathArchive(jar, tmp, jdk.feature());
                if (p != null) {
                    apps.add(p);
                    all.add(p);
                }
            }
            for (Path jar : dependencies) {
                Path p = asClassPathArchive(jar, tmp, jdk.feature());
                if (p != null) {
                    all.add(p);
                }
            }
            Exec.Result every = runJdeps(jdk, List.of(), all, tmp);
            if (parse(every) != null) {
                return parse(every);
            }
            Exec.Result reached = runJdeps(jdk, dependencies, apps, tmp);
            if (parse(reached) != null) {
                notes.add("jdeps failed on the whole class path (" + firstLine(every) + "); it analysed the app"
                        + " jar and the dependencies it references instead");
                return parse(reached);
            }
            throw new JdepsFailure(firstLine(every));
        } catch (IOException e) {
            throw SlipwayException.failed("cannot prepare the jars for jdeps: " + e.getMessage(), e);
        } finally {
            try {
                Trees.deleteTree(tmp);
            } catch (IOException ignored) {
                // A leftover temporary directory is harmless.
            }
        }
    }

    private static String firstLine(Exec.Result r) {
        String cause = r.cause();
        if (!cause.isEmpty()) {
            return cause;
        }
        return r.output().isBlank() ? "exit code " + r.exitCode() + ", no output" : r.tail(1);
    }

    private static Exec.Result runJdeps(Jdk jdk, List<Path> classPath, List<Path> roots, Path dir) {
        List<String> cmd = new ArrayList<>(List.of(jdk.tool("jdeps").toString(), "--list-deps",
                "--ignore-missing-deps", "-q", "--multi-release", String.valueOf(jdk.feature())));
        if (!classPath.isEmpty()) {
            cmd.add("--class-path");
            cmd.add(String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()));
        }
        roots.forEach(j -> cmd.add(j.toString()));
        try {
            return Exec.run(cmd, dir, Duration.ofMinutes(5));
        } catch (SlipwayException e) { // ran too long: as good as failed, so the next step is tried
            return new Exec.Result(-1, "Error: " + e.getMessage());
        }
    }

    /**
     * @return the modules of jdeps' {@code --list-deps} output (one per line, e.g. {@code java.sql};
     *         {@code java.base/sun.security.util} for a use of an internal package, which counts as
     *         its module; {@code JDK removed internal API/...} and other text skipped), or
     *         {@code null} when jdeps failed
     */
    static List<String> parse(Exec.Result r) {
        if (r.exitCode() != 0) {
            return null;
        }
        TreeSet<String> modules = new TreeSet<>();
        for (String line : r.output().strip().lines().map(String::strip).toList()) {
            if (line.matches("(java|jdk)\\.[\\w.]+(/\\S*)?")) {
                modules.add(line.replaceFirst("/.*", ""));
            }
        }
        return modules.isEmpty() ? null : List.copyOf(modules);
    }

    /**
     * A jar as jdeps should see it: the jar itself when it has no module descriptor, else a
     * directory of its classes (for a multi-release jar, each class in its newest version up to
     * {@code feature}, JEP 238) without {@code module-info.class}; {@code null} when it has no
     * classes at all (a jar of native libraries); the file itself when it is not a zip file.
     */
    static Path asClassPathArchive(Path jar, Path tmp, int feature) throws IOException {
        JarFile opened;
        try {
            opened = new JarFile(jar.toFile(), false);
        } catch (java.util.zip.ZipException e) {
            return jar; // not a zip file: jdeps says so, and the fallback names the jar
        }
        try (JarFile jf = opened) {
            boolean modular = jf.stream().anyMatch(e -> e.getName().equals("module-info.class")
                    || e.getName().startsWith("META-INF/versions/") && e.getName().endsWith("/module-info.class"));
            if (!modular) {
                return jar;
            }
            boolean multiRelease = jf.getManifest() != null
                    && "true".equalsIgnoreCase(jf.getManifest().getMainAttributes().getValue("Multi-Release"));
            Map<String, JarEntry> chosen = new TreeMap<>();
            Map<String, Integer> version = new HashMap<>();
            for (JarEntry e : java.util.Collections.list(jf.entries())) {
                String name = e.getName();
                int v = 8;
                if (name.startsWith("META-INF/versions/")) {
                    String[] parts = name.split("/", 4);
                    if (!multiRelease || parts.length < 4 || !parts[2].matches("\\d+")) {
                        continue;
                    }
                    v = Integer.parseInt(parts[2]);
                    if (v > feature) {
                        continue;
                    }
                    name = parts[3];
                }
                if (!name.endsWith(".class") || name.endsWith("module-info.class") || name.startsWith("META-INF/")) {
                    continue;
                }
                if (version.getOrDefault(name, -1) < v) {
                    version.put(name, v);
                    chosen.put(name, e);
                }
            }
            if (chosen.isEmpty()) {
                return null;
            }
            Path dir = tmp.resolve("classes-" + Integer.toHexString(jar.toAbsolutePath().toString().hashCode())
                    + "-" + jar.getFileName());
            for (var c : chosen.entrySet()) {
                Path out = dir.resolve(c.getKey()).normalize();
                if (!out.startsWith(dir)) {
                    continue; // an entry name with '..' would escape the directory
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = jf.getInputStream(c.getValue())) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        }
    }

    /**
     * The jlink options for a platform: {@code --strip-debug --no-header-files --no-man-pages}; for
     * the host also {@code --generate-cds-archive} (JDK-8264735), the default CDS archive that
     * {@code java -jar} on a full JDK has too. No {@code --compress}: the single file's payload
     * compresses the whole runtime as one zstd stream with a long window, which makes the
     * uncompressed {@code lib/modules} smaller than jlink's per-resource deflate does (myapp's
     * JDK 17 runtime: 25.5 MB against 35.8 MB at zstd level 12, docs/benchmarks.md), and classes
     * outside the CDS archive load without inflating.
     *
     * <p>For a foreign platform {@code --strip-debug} becomes {@code --strip-java-debug-attributes}:
     * Debian's jlink also strips native debug symbols with the host's objcopy, which cannot read
     * another architecture's ELF files (Debian ships native debug symbols separately anyway).
     *
     * @param linker  the JDK whose jlink runs
     * @param forHost whether the runtime is for the platform Slipway runs on
     * @return the options, without module path, modules and output
     */
    public static List<String> options(Jdk linker, boolean forHost) {
        List<String> opts = new ArrayList<>(List.of(forHost ? "--strip-debug" : "--strip-java-debug-attributes",
                "--no-header-files", "--no-man-pages"));
        if (forHost) {
            opts.add("--generate-cds-archive");
        }
        return opts;
    }

    /**
     * The options of jlink's own JVM ({@code -J}, jlink(1)): the client compiler alone
     * ({@code -XX:TieredStopAtLevel=1}, java(1)). jlink runs for a few seconds, too short for what
     * the server compiler compiles to pay back: with it jlink spent about twice the CPU time
     * (7.1-9.4 s against 3.7-4.6 s of user CPU for myapp's 15 modules, JDK 17, three runs each on a
     * loaded 2-core machine, f21v), CPU that the build's other steps use beside it. The runtime it writes is the same ({@code lib/modules} byte for byte; the options
     * change how jlink runs, not what it does), so they are no part of the runtime cache's key.
     */
    static final List<String> TOOL_JVM_OPTIONS = List.of("-J-XX:TieredStopAtLevel=1");

    /**
     * Links a runtime. The archive for uncompressed oops ({@code classes_nocoops.jsa}, used only
     * with heaps over 32 GB) is removed to save about 10 MB, and the native libraries lose their
     * full symbol tables ({@link NativeSymbols}: about 4-5 MB of {@code libjvm.so}, 1 MB of the
     * single file; crash logs then name libjvm frames by offset).
     *
     * @param linker  the JDK whose jlink runs
     * @param target  the JDK whose jmods are linked; when it has no jmods it must be the linker
     *                (JEP 493 links from the run-time image, for its own platform only)
     * @param modules the modules to add
     * @param options from {@link #options}
     * @param output  the runtime directory to create (must not exist)
     * @param console for progress while jlink runs
     * @throws SlipwayException (exit 1) when jlink fails, with its output
     */
    public static void link(Jdk linker, Jdk target, Platform platform, List<String> modules, List<String> options,
                            Path output, Console console) {
        List<String> cmd = new ArrayList<>(List.of(linker.tool("jlink").toString()));
        cmd.addAll(TOOL_JVM_OPTIONS);
        if (target.hasJmods()) {
            cmd.add("--module-path");
            cmd.add(target.home().resolve("jmods").toString());
        }
        cmd.addAll(List.of("--add-modules", String.join(",", modules)));
        cmd.addAll(options);
        cmd.addAll(List.of("--output", output.toString()));
        Exec.Result r = console.timed("linking " + platform + " runtime (" + modules.size() + " modules, JDK "
                + target.version() + ")", () -> Exec.run(cmd, output.getParent(), Duration.ofMinutes(10)));
        if (r.exitCode() != 0 || r.output().contains("Error:")) {
            throw SlipwayException.failed("jlink failed for " + platform + " with exit code " + r.exitCode() + ":\n"
                    + r.summary(20)).withOutput(r.output());
        }
        try {
            java.nio.file.Files.deleteIfExists(output.resolve("lib/server/classes_nocoops.jsa"));
            NativeSymbols.stripRuntime(output);
        } catch (java.io.IOException e) {
            throw SlipwayException.failed("cannot trim the runtime: " + e.getMessage(), e);
        }
    }
}
