package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ServicePaths;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Finds what the service's build produced ({@link BuildOutput}), looking in this order and taking
 * the first that is there (docs/building.md, "What Slipway ships"):
 *
 * <ol>
 *   <li>{@code build.jar} and/or {@code build.lib} when configured;</li>
 *   <li>a Spring Boot executable jar in {@code target/} or {@code build/libs/}, exploded
 *       ({@link SpringBootJar});</li>
 *   <li>Quarkus' output in {@code target/} or {@code build/}: {@code quarkus-artifact.properties}
 *       names the runnable artifact (fast-jar {@code quarkus-app/quarkus-run.jar}, or an uber
 *       jar); without it, a {@code quarkus-app/} directory;</li>
 *   <li>an uber jar in {@code target/} that is the only runnable artifact: the shade plugin's
 *       output ({@code original-<name>.jar} beside it); a runnable jar holding every class of the
 *       plain jar when the plain jar has no {@code Main-Class}, lacks a manifest attribute the
 *       launch reads ({@code Main-Verticle}), or has no {@code target/slipway/lib}; or an attached
 *       variant such as the assembly plugin's {@code -jar-with-dependencies} when there is no
 *       {@code target/slipway/lib};</li>
 *   <li>Gradle's {@code installDist}: {@code build/install/<name>/lib/*.jar} with the order and main
 *       class of its start script;</li>
 *   <li>an uber jar in {@code build/libs/} (the shadow plugin's {@code -all.jar}, or the only jar);</li>
 *   <li>the plain jar in {@code target/} and the dependencies in {@code target/slipway/lib}, else
 *       those its manifest {@code Class-Path} names beside it, else the jar alone.</li>
 * </ol>
 *
 * <p>Dependency directories never contribute optional or development-only jars
 * ({@link Dependencies}).
 */
public final class BuildOutputs {
    /**
     * Where exploded inputs go: {@code .exploded} in the output directory, emptied before a Spring
     * Boot jar is exploded into it, and removed when the build ends.
     *
     * @param config the service configuration
     * @return the directory
     */
    static Path exploded(SlipwayConfig config) {
        return config.dist().resolve(".exploded");
    }
    private static final String QUARKUS_ENTRY = "io.quarkus.bootstrap.runner.QuarkusEntryPoint";

    private BuildOutputs() {}

    /**
     * Finds the build output, prints which one it took (and what it left out), and applies
     * {@code main} from the configuration.
     *
     * @param config  the service configuration ({@code build.jar}, {@code build.lib}, {@code main})
     * @param console progress
     * @return the output to ship
     * @throws SlipwayException (exit 2) when there is nothing runnable, when several candidates
     *                          remain, when a configured path is missing or leaves the service
     *                          directory, or when there is no main class
     */
    public static BuildOutput locate(SlipwayConfig config, Console console) {
        Path dir = config.serviceDir();
        List<String> notes = new ArrayList<>();
        BuildOutput out = find(config, notes);
        String main = config.main() != null ? config.main() : out.mainClass();
        if (main == null || main.isBlank()) {
            throw SlipwayException.usage("no main class: " + rel(dir, out.appJars().isEmpty() ? out.source()
                    : out.appJars().get(0)) + " has no Main-Class in its manifest; set 'main:' in "
                    + config.file().getFileName() + " or configure the jar plugin's mainClass");
        }
        out = new BuildOutput(out.layout(), out.source(), out.appJars(), out.dependencies(), main, out.tree(),
                out.launchJar(), out.jvmOptions(), List.copyOf(notes));
        console.progress("  input: " + out.describe(dir));
        for (String note : out.notes()) {
            console.progress("    " + note);
        }
        return out;
    }

    /**
     * The configuration the platforms are built with: {@code build.jvmOptions} preceded by the
     * options the output's manifest asks for ({@link BuildOutput#jvmOptions()}), so that the
     * training run and the launcher both get them.
     *
     * @param config the service configuration
     * @param output the located output
     * @return {@code config} itself when there are none, else a copy with them
     */
    public static SlipwayConfig withManifestOptions(SlipwayConfig config, BuildOutput output) {
        if (output.jvmOptions().isEmpty()) {
            return config;
        }
        SlipwayConfig.Build b = config.build();
        List<String> options = new ArrayList<>(output.jvmOptions());
        options.addAll(b.jvmOptions());
        SlipwayConfig.Build build = new SlipwayConfig.Build(b.command(), b.jar(), b.modules(), b.excludeModules(),
                List.copyOf(options), b.jdk(), b.targetJdks(), b.defaultsResource(), b.detectModules(), b.lib(), b.files());
        return new SlipwayConfig(config.file(), config.name(), config.version(), config.main(), config.platforms(),
                build, config.profiles(), config.train(), config.service(), config.local(), config.release(),
                config.warnings(), config.image(), config.canary(), config.hosts(), config.kubernetes(),
                config.swarm(), config.dist());
    }

    static BuildOutput find(SlipwayConfig config, List<String> notes) {
        Path dir = config.serviceDir();
        Path lib = null;
        if (config.build().lib() != null) {
            lib = ServicePaths.resolve(dir, "build.lib", config.build().lib());
            if (!Files.isDirectory(lib)) {
                throw SlipwayException.usage("build.lib " + config.build().lib() + " is not a directory in " + dir
                        + "; did the build run? (slipway build without --no-compile runs it)");
            }
        }
        if (config.build().jar() != null) {
            Path jar = ServicePaths.resolve(dir, "build.jar", config.build().jar());
            if (!Files.isRegularFile(jar)) {
                throw SlipwayException.usage("build.jar " + config.build().jar() + " does not exist in " + dir
                        + "; did the build run? (slipway build without --no-compile runs it)");
            }
            return configuredJar(dir, jar, lib, exploded(config), notes);
        }
        Path target = dir.resolve("target");
        Path gradle = dir.resolve("build");
        if (lib != null) {
            Path jar = plainJar(target);
            if (jar == null) {
                jar = plainJar(gradle.resolve("libs"));
            }
            if (jar == null) {
                throw SlipwayException.usage("build.lib is set but there is no application jar in target/ or build/libs/;"
                        + " set build.jar to it");
            }
            return jarAndLib(BuildOutput.Layout.CONFIGURED, jar, lib, null, notes);
        }
        List<Path> boot = new ArrayList<>();
        // Spring Boot's executable wars too (Maven's packaging war, Gradle's bootWar): the same layout under WEB-INF/.
        for (Path p : concat(concat(candidates(target), wars(target)),
                concat(candidates(gradle.resolve("libs")), wars(gradle.resolve("libs"))))) {
            if (SpringBootJar.is(p)) {
                boot.add(p);
            }
        }
        if (boot.size() > 1) {
            throw SlipwayException.usage("several Spring Boot jars: " + boot.stream().map(p -> rel(dir, p)).toList()
                    + "; set build.jar in slipway.yaml to the one to ship");
        }
        if (boot.size() == 1) {
            if (Files.isDirectory(dir.resolve(MavenProject.DEPENDENCY_DIR))) {
                notes.add(MavenProject.DEPENDENCY_DIR + " is not used: the Spring Boot jar carries its dependencies");
            }
            return SpringBootJar.explode(boot.get(0), exploded(config), notes);
        }
        BuildOutput quarkus = quarkus(target, notes);
        if (quarkus == null) {
            quarkus = quarkus(gradle, notes);
        }
        if (quarkus != null) {
            if (Files.isDirectory(dir.resolve(MavenProject.DEPENDENCY_DIR))) {
                notes.add(MavenProject.DEPENDENCY_DIR + " is not used: Quarkus' output names its own dependencies");
            }
            return quarkus;
        }
        BuildOutput uber = mavenUberJar(dir, target, notes);
        if (uber != null) {
            return uber;
        }
        BuildOutput install = gradleInstall(config, gradle.resolve("install"), notes);
        if (install != null) {
            return install;
        }
        BuildOutput libs = gradleLibs(gradle.resolve("libs"), notes);
        if (libs != null) {
            return libs;
        }
        return mavenJar(dir, target, notes);
    }

    /** {@code build.jar}: a Spring Boot jar is exploded, Quarkus' runner keeps its tree, any other jar takes a lib directory. */
    private static BuildOutput configuredJar(Path dir, Path jar, Path lib, Path exploded, List<String> notes) {
        if (SpringBootJar.is(jar)) {
            if (lib != null) {
                throw SlipwayException.usage("build.jar " + rel(dir, jar) + " is a Spring Boot executable jar, which"
                        + " carries its dependencies; remove build.lib, or point build.jar at the plain jar");
            }
            return SpringBootJar.explode(jar, exploded, notes);
        }
        if (lib == null && QUARKUS_ENTRY.equals(mainClassOf(jar))
                && Files.isRegularFile(jar.resolveSibling("quarkus/quarkus-application.dat"))) {
            return fastJar(jar.getParent());
        }
        if (lib == null && Files.isDirectory(dir.resolve(MavenProject.DEPENDENCY_DIR))) {
            lib = dir.resolve(MavenProject.DEPENDENCY_DIR);
        }
        return jarAndLib(BuildOutput.Layout.CONFIGURED, jar, lib, null, notes);
    }

    /** A jar and the dependency directory beside it (which may be {@code null}: the jar alone). */
    private static BuildOutput jarAndLib(BuildOutput.Layout layout, Path jar, Path lib, String fallbackMain,
                                         List<String> notes) {
        List<Path> deps = lib == null ? List.of() : Dependencies.of(lib, notes);
        Attributes mf = manifest(jar);
        String main = mf == null ? null : mf.getValue(Attributes.Name.MAIN_CLASS);
        return new BuildOutput(layout, jar, List.of(jar), deps, main != null ? main : fallbackMain, null, null,
                manifestJvmOptions(mf), List.of());
    }

    /**
     * Quarkus' output under a build directory: {@code quarkus-artifact.properties} (which Quarkus
     * writes beside its output, with {@code path} relative to the build directory and {@code type})
     * names the runnable artifact; without it, {@code quarkus-app/quarkus-run.jar}.
     */
    private static BuildOutput quarkus(Path buildDir, List<String> notes) {
        Path props = buildDir.resolve("quarkus-artifact.properties");
        if (Files.isRegularFile(props)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(props)) {
                p.load(in);
            } catch (IOException e) {
                throw SlipwayException.failed("cannot read " + props + ": " + e.getMessage(), e);
            }
            String type = p.getProperty("type", "");
            String path = p.getProperty("path");
            if (type.equals("native")) {
                throw SlipwayException.usage("Quarkus built a native executable (" + props + " says type=native);"
                        + " Slipway ships JVM services: build without -Dnative (the default fast-jar)");
            }
            if (path != null) {
                Path artifact = buildDir.resolve(path).normalize();
                if (Files.isRegularFile(artifact) && artifact.startsWith(buildDir)) {
                    if (artifact.getFileName().toString().equals("quarkus-run.jar")) {
                        return fastJar(artifact.getParent());
                    }
                    return quarkusJar(artifact, notes);
                }
            }
        }
        Path run = buildDir.resolve("quarkus-app/quarkus-run.jar");
        return Files.isRegularFile(run) ? fastJar(run.getParent()) : null;
    }

    /**
     * Quarkus' fast-jar: {@code quarkus-run.jar} (an empty jar whose manifest lists
     * {@code lib/boot/*.jar} relative to itself), {@code lib/boot/}, {@code lib/main/}, {@code app/}
     * and {@code quarkus/} (generated classes and {@code quarkus-application.dat}, the index its
     * runner class loader reads, also relative to the jar). It runs from the tree as built, so the
     * tree ships whole and only {@code quarkus-run.jar} is on the class path.
     */
    static BuildOutput fastJar(Path tree) {
        Path run = tree.resolve("quarkus-run.jar");
        Attributes mf = manifest(run);
        List<Path> app = new ArrayList<>(jarsIn(tree.resolve("app")));
        Path generated = tree.resolve("quarkus/generated-bytecode.jar");
        if (Files.isRegularFile(generated)) {
            app.add(generated);
        }
        Set<Path> deps = new LinkedHashSet<>();
        String classPath = mf == null ? null : mf.getValue(Attributes.Name.CLASS_PATH);
        if (classPath != null) {
            for (String entry : classPath.trim().split("\\s+")) {
                Path p = tree.resolve(entry).normalize();
                if (!entry.isEmpty() && p.startsWith(tree) && Files.isRegularFile(p)) {
                    deps.add(p);
                }
            }
        }
        deps.addAll(jarsIn(tree.resolve("lib/boot")));
        deps.addAll(jarsIn(tree.resolve("lib/main")));
        for (Path p : jarsIn(tree.resolve("quarkus"))) {
            if (!app.contains(p)) {
                deps.add(p);
            }
        }
        return new BuildOutput(BuildOutput.Layout.QUARKUS_FAST_JAR, tree, List.copyOf(app), List.copyOf(deps),
                mf == null ? null : mf.getValue(Attributes.Name.MAIN_CLASS), tree, "quarkus-run.jar",
                manifestJvmOptions(mf), List.of());
    }

    /** Quarkus' runner jar other than the fast-jar: an uber jar, or a legacy-jar with its manifest Class-Path. */
    private static BuildOutput quarkusJar(Path jar, List<String> notes) {
        Attributes mf = manifest(jar);
        List<Path> deps = manifestClassPath(jar);
        return new BuildOutput(deps.isEmpty() ? BuildOutput.Layout.UBER_JAR : BuildOutput.Layout.JAR_AND_LIB, jar,
                List.of(jar), Dependencies.withoutDevelopmentOnly(deps, notes),
                mf == null ? null : mf.getValue(Attributes.Name.MAIN_CLASS), null, null, manifestJvmOptions(mf), List.of());
    }

    /**
     * An uber jar in {@code target/} that is the only runnable artifact: the shade plugin's output
     * (it renames the plain jar to {@code original-<name>.jar} and takes its name), or an attached
     * variant of the plain jar ({@code <plain>-jar-with-dependencies.jar}, {@code <plain>-shaded.jar})
     * when there is no {@code target/slipway/lib} to ship the plain jar with.
     */
    private static BuildOutput mavenUberJar(Path dir, Path target, List<String> notes) {
        List<Path> jars = candidates(target);
        for (Path jar : jars) {
            if (Files.isRegularFile(target.resolve("original-" + jar.getFileName()))) {
                if (Files.isDirectory(dir.resolve(MavenProject.DEPENDENCY_DIR))) {
                    notes.add(MavenProject.DEPENDENCY_DIR + " is not used: the shaded jar carries its dependencies"
                            + " (original-" + jar.getFileName() + " is the plain jar)");
                }
                return uber(jar);
            }
        }
        BuildOutput holding = uberHoldingPlainJar(dir, jars, notes);
        if (holding != null) {
            return holding;
        }
        if (Files.isDirectory(dir.resolve(MavenProject.DEPENDENCY_DIR))) {
            return null; // the plain jar and its dependencies: mavenJar
        }
        List<Path> roots = roots(jars);
        if (roots.size() != 1) {
            return null;
        }
        List<Path> variants = variants(roots.get(0), jars).stream().filter(v -> mainClassOf(v) != null).toList();
        if (variants.size() == 1) {
            notes.add("no " + MavenProject.DEPENDENCY_DIR + " beside " + rel(dir, roots.get(0))
                    + ", so its uber jar is shipped");
            return uber(variants.get(0));
        }
        return null;
    }

    /**
     * The uber jar of the plain jar, whatever its name (shade's {@code <outputFile>}, a classifier):
     * the one other runnable jar in {@code target/} that holds every class of a plain jar, taken
     * when the plain jar cannot run as the build meant: it has no {@code Main-Class}, or the uber
     * jar's manifest has an attribute the launch reads that the plain jar lacks
     * ({@link #LAUNCH_ATTRIBUTES}), or there is no {@code target/slipway/lib} to ship it with.
     *
     * @return the uber jar alone, or {@code null} when there is no such jar or several
     */
    private static BuildOutput uberHoldingPlainJar(Path dir, List<Path> jars, List<String> notes) {
        boolean lib = Files.isDirectory(dir.resolve(MavenProject.DEPENDENCY_DIR));
        Set<Path> ubers = new LinkedHashSet<>();
        String why = null;
        Path plainJar = null;
        for (Path plain : jars) {
            Set<String> classes = classEntries(plain);
            if (classes.isEmpty()) {
                continue;
            }
            Attributes plainMf = manifest(plain);
            for (Path uber : jars) {
                Attributes mf = uber.equals(plain) ? null : manifest(uber);
                if (mf == null || mf.getValue(Attributes.Name.MAIN_CLASS) == null) {
                    continue;
                }
                Set<String> all = classEntries(uber);
                if (all.size() <= classes.size() || !all.containsAll(classes)) {
                    continue;
                }
                String reason = plainMf == null || plainMf.getValue(Attributes.Name.MAIN_CLASS) == null
                        ? "which has no Main-Class" : null;
                for (String a : LAUNCH_ATTRIBUTES) {
                    if (reason == null && mf.getValue(a) != null && (plainMf == null || plainMf.getValue(a) == null)) {
                        reason = "whose manifest lacks the " + a + " the launch reads";
                    }
                }
                if (reason == null && !lib) {
                    reason = "which has no " + MavenProject.DEPENDENCY_DIR + " beside it";
                }
                if (reason != null) {
                    ubers.add(uber);
                    why = reason;
                    plainJar = plain;
                }
            }
        }
        if (ubers.size() != 1) {
            return null;
        }
        Path uber = ubers.iterator().next();
        notes.add(rel(dir, uber) + " holds the classes of " + rel(dir, plainJar) + " (" + why
                + ") and its dependencies: it is shipped alone");
        if (lib) {
            notes.add(MavenProject.DEPENDENCY_DIR + " is not used: the uber jar carries the dependencies");
        }
        return uber(uber);
    }

    /**
     * Manifest attributes that a launcher reads from the manifest of the jar it was started from,
     * so that a jar without them does not start the same way: {@code Main-Verticle} (Vert.x's
     * {@code io.vertx.core.Launcher} and {@code VertxApplication} deploy it when given no verticle).
     */
    static final List<String> LAUNCH_ATTRIBUTES = List.of("Main-Verticle");

    /** @return whether {@code uber} holds every class of {@code jar} and more */
    private static boolean holds(Path uber, Path jar) {
        Set<String> classes = classEntries(jar);
        Set<String> all = classEntries(uber);
        return !classes.isEmpty() && all.size() > classes.size() && all.containsAll(classes);
    }

    /** @return the names of the {@code .class} entries of a jar */
    private static Set<String> classEntries(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Set<String> out = new java.util.HashSet<>();
            jf.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.endsWith(".class")).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + jar + " as a jar: " + e.getMessage());
        }
    }

    private static BuildOutput uber(Path jar) {
        Attributes mf = manifest(jar);
        return new BuildOutput(BuildOutput.Layout.UBER_JAR, jar, List.of(jar), List.of(),
                mf == null ? null : mf.getValue(Attributes.Name.MAIN_CLASS), null, null, manifestJvmOptions(mf), List.of());
    }

    /**
     * Gradle's {@code installDist}: {@code build/install/<name>/lib/} holds the project's jar and
     * its {@code runtimeClasspath}; the start script {@code bin/<name>} gives their order (the
     * project's jar first) and the main class. Without a script, the project's jar is the one
     * named {@code <name>.jar} or {@code <name>-<version>.jar}.
     */
    private static BuildOutput gradleInstall(SlipwayConfig config, Path install, List<String> notes) {
        List<Path> dists = new ArrayList<>();
        if (Files.isDirectory(install)) {
            try (Stream<Path> s = Files.list(install)) {
                s.filter(d -> Files.isDirectory(d.resolve("lib"))).sorted().forEach(dists::add);
            } catch (IOException e) {
                throw SlipwayException.failed("cannot list " + install + ": " + e.getMessage(), e);
            }
        }
        if (dists.isEmpty()) {
            return null;
        }
        Path dist = dists.get(0);
        if (dists.size() > 1) {
            dist = dists.stream().filter(d -> d.getFileName().toString().equals(config.name())).findFirst()
                    .orElseThrow(() -> SlipwayException.usage("several Gradle distributions in " + install + ": "
                            + dists.stream().map(d -> d.getFileName().toString()).toList()
                            + "; set build.jar and build.lib in slipway.yaml to the one to ship"));
        }
        String name = dist.getFileName().toString();
        Path lib = dist.resolve("lib");
        List<Path> jars = jarsIn(lib);
        Path script = dist.resolve("bin").resolve(name);
        GradleStartScript start = Files.isRegularFile(script) ? GradleStartScript.read(script)
                : new GradleStartScript(List.of(), null);
        Path appJar = null;
        if (!start.classpath().isEmpty() && Files.isRegularFile(lib.resolve(start.classpath().get(0)))) {
            appJar = lib.resolve(start.classpath().get(0));
        } else {
            for (Path j : jars) {
                String n = j.getFileName().toString();
                if (n.equals(name + ".jar") || n.matches(java.util.regex.Pattern.quote(name) + "-\\d.*\\.jar")) {
                    appJar = j;
                    break;
                }
            }
        }
        if (appJar == null) {
            throw SlipwayException.usage("cannot tell the project's jar among " + lib + " (no start script "
                    + script.getFileName() + " and no " + name + ".jar); set build.jar and build.lib in slipway.yaml");
        }
        List<Path> deps = new ArrayList<>();
        for (String entry : start.classpath()) {
            Path p = lib.resolve(entry);
            if (!p.equals(appJar) && jars.contains(p) && !deps.contains(p)) {
                deps.add(p);
            }
        }
        for (Path j : jars) {
            if (!j.equals(appJar) && !deps.contains(j)) {
                deps.add(j);
            }
        }
        Attributes mf = manifest(appJar);
        String main = start.mainClass() != null ? start.mainClass()
                : mf == null ? null : mf.getValue(Attributes.Name.MAIN_CLASS);
        return new BuildOutput(BuildOutput.Layout.GRADLE_INSTALL, dist, List.of(appJar),
                Dependencies.withoutDevelopmentOnly(deps, notes), main, null, null, manifestJvmOptions(mf), List.of());
    }

    /** {@code build/libs/}: the shadow plugin's {@code -all.jar}, else the one runnable jar (Spring Boot's are taken earlier). */
    private static BuildOutput gradleLibs(Path libs, List<String> notes) {
        List<Path> jars = candidates(libs);
        List<Path> shadow = jars.stream().filter(j -> j.getFileName().toString().endsWith("-all.jar")).toList();
        if (shadow.size() == 1) {
            return uber(shadow.get(0));
        }
        List<Path> runnable = jars.stream().filter(j -> mainClassOf(j) != null).toList();
        if (runnable.size() == 1) {
            notes.add(libs.getFileName() + "/" + runnable.get(0).getFileName() + " is the only runnable jar and no"
                    + " dependency directory was found; it must hold its dependencies (for Gradle's application"
                    + " plugin, build with installDist)");
            return uber(runnable.get(0));
        }
        return null;
    }

    /** The plain jar in {@code target/} with {@code target/slipway/lib}, or alone. */
    private static BuildOutput mavenJar(Path dir, Path target, List<String> notes) {
        List<Path> jars = candidates(target);
        if (jars.isEmpty()) {
            throw SlipwayException.usage("no runnable jar: the build left no jar in " + target
                    + " (nor a Spring Boot jar, a Quarkus quarkus-app/, or Gradle's build/install or build/libs);"
                    + " is the packaging 'jar'? did the build run? Or set build.jar (and build.lib) in slipway.yaml");
        }
        List<Path> roots = roots(jars);
        Path jar;
        if (roots.size() == 1) {
            jar = roots.get(0);
        } else {
            List<Path> runnable = roots.stream().filter(p -> mainClassOf(p) != null).toList();
            if (runnable.size() > 1 && Files.isDirectory(dir.resolve(MavenProject.DEPENDENCY_DIR))) {
                // With the lib, the plain jar: not a jar that holds another one's classes (its uber jar).
                List<Path> all = runnable;
                List<Path> plain = all.stream().filter(u -> all.stream().noneMatch(o -> !o.equals(u)
                        && holds(u, o))).toList();
                for (Path u : all) {
                    if (!plain.contains(u)) {
                        notes.add(rel(dir, u) + " is not used: the plain jar and " + MavenProject.DEPENDENCY_DIR
                                + " are shipped");
                    }
                }
                runnable = plain;
            }
            if (runnable.size() != 1) {
                throw SlipwayException.usage("several jars in " + target + ": "
                        + jars.stream().map(p -> p.getFileName().toString()).toList()
                        + "; set build.jar in slipway.yaml to the one to ship");
            }
            jar = runnable.get(0);
        }
        Path lib = dir.resolve(MavenProject.DEPENDENCY_DIR);
        String fallbackMain = null;
        List<Path> variants = variants(jar, jars);
        for (Path v : variants) {
            notes.add(rel(dir, v) + " is not used: the plain jar and " + MavenProject.DEPENDENCY_DIR + " are shipped");
            if (fallbackMain == null) {
                fallbackMain = mainClassOf(v);
            }
        }
        if (!Files.isDirectory(lib)) {
            List<Path> listed = manifestClassPath(jar);
            if (!listed.isEmpty()) {
                // maven-jar-plugin's addClasspath with the dependencies copied beside the jar (Helidon's
                // parent POM does this with target/libs): what java -jar would load, in its order.
                notes.add("dependencies from the Class-Path of " + rel(dir, jar) + "'s manifest (" + listed.size() + " jars)");
                BuildOutput plain = jarAndLib(BuildOutput.Layout.JAR_AND_LIB, jar, null, fallbackMain, notes);
                return new BuildOutput(plain.layout(), jar, plain.appJars(), Dependencies.withoutDevelopmentOnly(listed, notes),
                        plain.mainClass(), null, null, plain.jvmOptions(), List.of());
            }
        }
        return jarAndLib(BuildOutput.Layout.JAR_AND_LIB, jar, Files.isDirectory(lib) ? lib : null, fallbackMain, notes);
    }

    /**
     * The jars a jar's manifest {@code Class-Path} names (space-separated URLs relative to the jar,
     * JAR File Specification) that exist as files beside it, in order; empty when it names none or
     * any of them is missing (then it is not the class path the build meant).
     */
    static List<Path> manifestClassPath(Path jar) {
        Attributes mf = manifest(jar);
        String classPath = mf == null ? null : mf.getValue(Attributes.Name.CLASS_PATH);
        List<Path> out = new ArrayList<>();
        if (classPath == null || classPath.isBlank()) {
            return out;
        }
        for (String entry : classPath.trim().split("\\s+")) {
            Path p = jar.resolveSibling(java.net.URLDecoder.decode(entry, java.nio.charset.StandardCharsets.UTF_8)).normalize();
            if (!entry.endsWith(".jar") || !p.startsWith(jar.getParent()) || !Files.isRegularFile(p)) {
                return List.of();
            }
            out.add(p);
        }
        return out;
    }

    /** The plain application jar of a build directory for {@code build.lib}: its one root jar, else its one runnable root. */
    private static Path plainJar(Path buildDir) {
        List<Path> roots = roots(candidates(buildDir));
        if (roots.size() == 1) {
            return roots.get(0);
        }
        List<Path> runnable = roots.stream().filter(p -> mainClassOf(p) != null).toList();
        return runnable.size() == 1 ? runnable.get(0) : null;
    }

    /**
     * The jars of a build directory that could be the application: not sources, javadoc, tests,
     * test fixtures, Gradle's {@code -plain} jar next to a boot jar, or shade's {@code original-} jar.
     */
    static List<Path> candidates(Path buildDir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(buildDir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(buildDir)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".jar") && Files.isRegularFile(p) && !n.startsWith("original-")
                        && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar") && !n.endsWith("-tests.jar")
                        && !n.endsWith("-test-sources.jar") && !n.endsWith("-test-fixtures.jar")
                        && !n.endsWith("-plain.jar");
            }).sorted().forEach(out::add);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot list " + buildDir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The {@code .war} files of a build directory (not Gradle's {@code -plain.war}), sorted. */
    static List<Path> wars(Path buildDir) {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(buildDir)) {
            try (Stream<Path> s = Files.list(buildDir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".war") && !p.getFileName().toString()
                        .endsWith("-plain.war") && Files.isRegularFile(p)).sorted().forEach(out::add);
            } catch (IOException e) {
                throw SlipwayException.failed("cannot list " + buildDir + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Jars that are not an attached variant ({@code <other>-<classifier>.jar}) of another jar in the list. */
    private static List<Path> roots(List<Path> jars) {
        return jars.stream().filter(j -> jars.stream().noneMatch(o -> !o.equals(j) && variants(o, jars).contains(j)))
                .toList();
    }

    /** The attached variants of a jar: {@code <stem>-<classifier>.jar} beside {@code <stem>.jar}. */
    private static List<Path> variants(Path jar, List<Path> jars) {
        String n = jar.getFileName().toString();
        String stem = n.substring(0, n.length() - ".jar".length()) + "-";
        return jars.stream().filter(o -> !o.equals(jar) && o.getFileName().toString().startsWith(stem)).toList();
    }

    private static List<Path> jarsIn(Path dir) {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted()
                        .forEach(out::add);
            } catch (IOException e) {
                throw SlipwayException.failed("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * @param jar a jar file
     * @return its manifest's main attributes, or {@code null} when it has no manifest
     * @throws SlipwayException (exit 2) when it cannot be read as a jar
     */
    static Attributes manifest(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest mf = jf.getManifest();
            return mf == null ? null : mf.getMainAttributes();
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + jar + " as a jar: " + e.getMessage());
        }
    }

    /** @return the jar manifest's {@code Main-Class}, or {@code null} */
    static String mainClassOf(Path jar) {
        Attributes a = manifest(jar);
        return a == null ? null : a.getValue(Attributes.Name.MAIN_CLASS);
    }

    /**
     * The JVM options equivalent to a main jar's {@code Add-Opens}, {@code Add-Exports} and
     * {@code Enable-Native-Access} attributes, which the JDK honours only for {@code java -jar}
     * (JAR File Specification, "Main Attributes"; JEP 261; JEP 454): each
     * {@code module/package} becomes {@code --add-opens=module/package=ALL-UNNAMED} (or
     * {@code --add-exports=...}); {@code Enable-Native-Access: ALL-UNNAMED} becomes
     * {@code --enable-native-access=ALL-UNNAMED}. Quarkus' runner jar, for one, opens
     * {@code java.base/java.lang} this way.
     *
     * @param mf the main attributes, or {@code null}
     * @return the options, in attribute order
     */
    static List<String> manifestJvmOptions(Attributes mf) {
        List<String> out = new ArrayList<>();
        if (mf == null) {
            return out;
        }
        for (String[] attr : new String[][] {{"Add-Opens", "--add-opens="}, {"Add-Exports", "--add-exports="}}) {
            String v = mf.getValue(attr[0]);
            if (v != null) {
                for (String pkg : v.trim().split("\\s+")) {
                    if (pkg.matches("[\\w.]+/[\\w.]+")) {
                        out.add(attr[1] + pkg + "=ALL-UNNAMED");
                    }
                }
            }
        }
        if ("ALL-UNNAMED".equals(mf.getValue("Enable-Native-Access") == null ? null
                : mf.getValue("Enable-Native-Access").trim())) {
            out.add("--enable-native-access=ALL-UNNAMED");
        }
        return List.copyOf(out);
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String rel(Path dir, Path p) {
        return p.startsWith(dir) ? dir.relativize(p).toString() : p.toString();
    }
}
