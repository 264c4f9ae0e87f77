package dev.slipway.init;

import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@code slipway init} and {@code slipway render ci} learn about an existing Maven or Gradle
 * project from its build files and sources, without building it.
 *
 * @param serviceDir   the directory of the application module (where {@code slipway.yaml} goes)
 * @param rootDir      the reactor root (Maven) or the directory of the settings script (Gradle);
 *                     equals {@code serviceDir} for a single-module project
 * @param buildTool    Maven or Gradle
 * @param name         a service name derived from the artifact id or Gradle project name (lower case,
 *                     Slipway's name rule)
 * @param mainClass    the main class, or {@code null} when the framework's jar names it (Quarkus)
 * @param mainSource   where the main class came from, for the file's comments
 * @param jdk          the Java feature release the project compiles for (e.g. 17)
 * @param jdkSource    where the JDK release came from
 * @param framework    the detected framework
 * @param dependencies {@code group:artifact} of the module's dependencies and its reactor root's (test
 *                     scope excluded)
 * @param postgres     whether the project depends on the PostgreSQL JDBC driver (test scope included)
 * @param pom          the application module's POM, or {@code null} for Gradle
 * @param gradle       the application project's build script, or {@code null} for Maven
 */
public record Project(Path serviceDir, Path rootDir, BuildTool buildTool, String name, String mainClass,
                      String mainSource, int jdk, String jdkSource, Framework framework, List<String> dependencies,
                      boolean postgres, Pom pom, GradleBuild gradle) {

    /** The Java release assumed when the build names none (Slipway's minimum). */
    public static final int DEFAULT_JDK = 17;

    /** The main class of every Helidon MP application: the CDI container (the helidon-mp parent's mainClass). */
    public static final String HELIDON_MP_MAIN = "io.helidon.microprofile.cdi.Main";

    private static final Pattern MAIN = Pattern.compile(
            "(public\\s+static|static\\s+public)\\s+void\\s+main\\s*\\(\\s*(final\\s+)?String\\s*(\\[\\s*]|\\.\\.\\.)");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final List<String> QUARKUS_PLUGINS =
            List.of("io.quarkus:quarkus-maven-plugin", "io.quarkus.platform:quarkus-maven-plugin");

    /**
     * The frameworks told apart by the group of what a build uses, in the order they are tried
     * (Helidon MP before SE: MP's groups start with {@code io.helidon} too). Spring Boot, Quarkus
     * and Micronaut come before them, from plugins and parents as well.
     */
    private static final List<Map.Entry<String, Framework>> BY_GROUP = List.of(
            Map.entry("io.helidon.microprofile", Framework.HELIDON_MP), Map.entry("io.helidon", Framework.HELIDON_SE),
            Map.entry("io.dropwizard", Framework.DROPWIZARD), Map.entry("io.javalin", Framework.JAVALIN),
            Map.entry("org.apache.camel:camel-main", Framework.CAMEL_MAIN), Map.entry("io.vertx", Framework.VERTX),
            Map.entry("io.jooby", Framework.JOOBY));

    /** The build tools Slipway reads. */
    public enum BuildTool {
        /** Apache Maven: {@code pom.xml}. */
        MAVEN,
        /** Gradle: {@code build.gradle} or {@code build.gradle.kts}, {@code settings.gradle(.kts)}. */
        GRADLE
    }

    /**
     * The frameworks Slipway knows, with the environment variables they read their HTTP port and
     * bind address from (their own configuration's environment mapping).
     *
     * @param label   the name shown to the user
     * @param portEnv the environment variable the framework reads its HTTP port from, or {@code null}
     * @param hostEnv the environment variable the framework reads its bind address from, or {@code null}
     */
    public enum Framework {
        /** Spring Boot: {@code server.port}, {@code server.address} by relaxed binding. */
        SPRING_BOOT("Spring Boot", "SERVER_PORT", "SERVER_ADDRESS"),
        /** Quarkus on the JVM: MicroProfile Config's environment mapping of {@code quarkus.http.port}. */
        QUARKUS("Quarkus", "QUARKUS_HTTP_PORT", "QUARKUS_HTTP_HOST"),
        /** Micronaut: {@code micronaut.server.port} from the environment. */
        MICRONAUT("Micronaut", "MICRONAUT_SERVER_PORT", "MICRONAUT_SERVER_HOST"),
        /** Helidon SE 4: the environment-variables config source aliases {@code SERVER_PORT} to {@code server.port}. */
        HELIDON_SE("Helidon SE", "SERVER_PORT", "SERVER_HOST"),
        /** Helidon MP 4: MicroProfile Config maps {@code server.port} to {@code SERVER_PORT}. */
        HELIDON_MP("Helidon MP", "SERVER_PORT", "SERVER_HOST"),
        /** Dropwizard: the port is set by {@code dw.} system properties, not the environment. */
        DROPWIZARD("Dropwizard", null, null),
        /** Javalin: the app's code chooses the port. */
        JAVALIN("Javalin", null, null),
        /** Eclipse Vert.x: the verticle's code chooses the port ({@code HttpServer.listen}), or its config. */
        VERTX("Vert.x", null, null),
        /**
         * Apache Camel Main (standalone {@code camel-main}): {@code camel.server.port} and
         * {@code camel.server.host} of camel-platform-http-main. Its environment mapping skips every
         * variable ending in {@code _PORT} (taken for a Kubernetes service link), so the port is
         * set by system properties, which Camel Main also reads over application.properties.
         */
        CAMEL_MAIN("Camel Main", null, null),
        /**
         * Jooby: {@code server.port} and {@code server.host} from its configuration
         * ({@code application.conf}), which system properties override (Jooby's Environment: program
         * arguments, then system properties, then environment variables, then the file). Its
         * environment variables are not mapped to dotted keys, so the port goes in as system properties.
         */
        JOOBY("Jooby", null, null),
        /** A plain main class. */
        PLAIN("plain Java", null, null);

        private final String label;
        private final String portEnv;
        private final String hostEnv;

        Framework(String label, String portEnv, String hostEnv) {
            this.label = label;
            this.portEnv = portEnv;
            this.hostEnv = hostEnv;
        }

        /** @return the name shown to the user */
        public String label() {
            return label;
        }

        /** @return the port variable the framework reads, or {@code null} */
        public String portEnv() {
            return portEnv;
        }

        /** @return the bind-address variable the framework reads, or {@code null} */
        public String hostEnv() {
            return hostEnv;
        }
    }

    /** @return the module's path from the reactor root, {@code ""} for a single-module project */
    public String modulePath() {
        return rootDir.relativize(serviceDir).toString();
    }

    /** @return whether the application is one module of a multi-module build */
    public boolean multiModule() {
        return !rootDir.equals(serviceDir);
    }

    /** @return whether a dependency with this group id (or {@code group:artifact}) is declared */
    public boolean uses(String groupOrId) {
        return dependencies.stream().anyMatch(d -> d.equals(groupOrId) || d.startsWith(groupOrId + ":"));
    }

    /** @return the build file the facts came from, relative to the reactor root, for comments */
    public String buildFile() {
        Path f = buildTool == BuildTool.MAVEN ? pom.file() : gradle.file();
        return rootDir.relativize(f).toString();
    }

    /**
     * Detects the project in {@code dir}: a Maven project (single-module, a module of a reactor, or a
     * reactor root whose one application module is chosen) or a Gradle build (a single project, a
     * subproject, or a root whose one application project is chosen). With both a {@code pom.xml}
     * and a Gradle script, Maven wins.
     *
     * @param projectDir a directory holding {@code pom.xml}, {@code build.gradle(.kts)} or {@code settings.gradle(.kts)}
     * @param mainHint   a main class given by the user, or {@code null}
     * @return what was found
     * @throws SlipwayException (exit 2) when there is no build file, no application module or several,
     *                          a packaging Slipway cannot ship, or several main classes and no hint
     */
    public static Project detect(Path projectDir, String mainHint) {
        Path dir = projectDir.toAbsolutePath().normalize();
        if (Files.isRegularFile(dir.resolve("pom.xml"))) {
            return detectMaven(dir, mainHint);
        }
        if (GradleBuild.script(dir) != null || GradleBuild.settings(dir) != null) {
            return detectGradle(dir, mainHint);
        }
        throw SlipwayException.usage("no pom.xml, build.gradle or build.gradle.kts in " + dir
                + ": slipway init reads an existing Maven or Gradle project");
    }

    /**
     * Packaging {@code jar} and {@code quarkus}, and {@code war} when Spring Boot's Maven plugin runs in
     * the build: its {@code repackage} makes the war executable ({@code WarLauncher}, the Spring Boot
     * reference's "Executable War" format), which Slipway explodes like a Spring Boot jar.
     */
    private static boolean shippablePackaging(Pom p) {
        return "jar".equals(p.packaging()) || "quarkus".equals(p.packaging())
                || ("war".equals(p.packaging()) && p.builds("org.springframework.boot:spring-boot-maven-plugin"));
    }

    private static Project detectMaven(Path dir, String mainHint) {
        Pom pom = Pom.read(dir.resolve("pom.xml"));
        Path root = dir;
        Pom rootPom = pom;
        Path serviceDir = dir;
        if (!pom.modules().isEmpty()) {
            List<Path> apps = new ArrayList<>();
            collectApps(dir, pom, apps, 0);
            if (apps.isEmpty()) {
                throw SlipwayException.usage("no application module in " + dir + ": none of the modules "
                        + pom.modules() + " has a main class; run 'slipway init MODULE_DIR' in the one to ship");
            }
            if (apps.size() > 1) {
                throw SlipwayException.usage("several application modules in " + dir + ": "
                        + apps.stream().map(a -> dir.relativize(a).toString()).toList()
                        + "; run 'slipway init MODULE_DIR' for the one to ship");
            }
            serviceDir = apps.get(0);
            pom = Pom.read(serviceDir.resolve("pom.xml"));
        } else {
            // A module of a reactor? Walk up while a parent directory's POM lists us as a module.
            for (Path up = dir.getParent(); up != null && Files.isRegularFile(up.resolve("pom.xml"));
                 up = up.getParent()) {
                Pom candidate = Pom.read(up.resolve("pom.xml"));
                Path here = root;
                Path parentDir = up;
                if (candidate.modules().stream().noneMatch(m -> parentDir.resolve(m).normalize().equals(here)
                        || parentDir.resolve(m).normalize().equals(here.resolve("pom.xml")))) {
                    break;
                }
                root = up;
                rootPom = candidate;
            }
        }
        if (!shippablePackaging(pom)) {
            throw SlipwayException.usage(pom.file() + " has packaging '" + pom.packaging() + "': Slipway ships a"
                    + " runnable jar (packaging 'jar', or 'quarkus'; 'war' with Spring Boot's Maven plugin);"
                    + " set <packaging>jar</packaging> and a main class,"
                    + " or run 'slipway init MODULE_DIR' in the application module");
        }
        Framework fw = framework(pom, rootPom);
        List<String> deps = new ArrayList<>(pom.dependencies());
        rootPom.dependencies().stream().filter(d -> !deps.contains(d)).forEach(deps::add);
        String[] main = mainClass(serviceDir, pom, rootPom, fw, mainHint);
        String[] jdk = jdk(pom, rootPom);
        if ((fw == Framework.HELIDON_SE || fw == Framework.HELIDON_MP) && jdk[1].startsWith("none set")
                && pom.parent() != null && pom.parent().startsWith("io.helidon.applications:")) {
            jdk = new String[] {"21", "Helidon 4's application parent compiles for Java 21"};
        }
        // The driver in test scope counts too: the CI workflow's tests need the database.
        List<String> testDeps = new ArrayList<>(pom.testDependencies());
        testDeps.addAll(rootPom.testDependencies());
        boolean pg = POSTGRES_DRIVERS.stream().anyMatch(d -> deps.contains(d) || testDeps.contains(d));
        return new Project(serviceDir, root, BuildTool.MAVEN, serviceName(pom.artifactId()), main[0], main[1],
                Integer.parseInt(jdk[0]), jdk[1], fw, List.copyOf(deps), pg, pom, null);
    }

    /**
     * Dependencies that bring PostgreSQL's JDBC driver: the driver itself, and Quarkus's extension
     * that wraps it (code.quarkus.io's "JDBC Driver - PostgreSQL" names only the extension).
     */
    static final List<String> POSTGRES_DRIVERS = List.of("org.postgresql:postgresql", "io.quarkus:quarkus-jdbc-postgresql");

    private static String serviceName(String raw) {
        String name = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+", "");
        return name.isEmpty() ? "app" : name;
    }

    private static Project detectGradle(Path dir, String mainHint) {
        // The root: the nearest directory (this one or above) whose settings script exists; a
        // subproject is below it.
        Path root = dir;
        for (Path up = dir; up != null; up = up.getParent()) {
            Path settings = GradleBuild.settings(up);
            if (settings != null) {
                Path at = up;
                if (up.equals(dir) || GradleBuild.includes(settings).stream()
                        .anyMatch(i -> at.resolve(i).normalize().equals(dir))) {
                    root = up;
                }
                break;
            }
        }
        Path serviceDir = dir;
        Path script = GradleBuild.script(dir);
        if (dir.equals(root) && (script == null || !isGradleApp(GradleBuild.read(script)))) {
            List<Path> apps = new ArrayList<>();
            for (String inc : GradleBuild.includes(GradleBuild.settings(root))) {
                Path s = GradleBuild.script(root.resolve(inc).normalize());
                if (s != null && isGradleApp(GradleBuild.read(s))) {
                    apps.add(s.getParent());
                }
            }
            if (apps.size() > 1) {
                throw SlipwayException.usage("several application projects in " + dir + ": "
                        + apps.stream().map(a -> dir.relativize(a).toString()).toList()
                        + "; run 'slipway init PROJECT_DIR' for the one to ship");
            }
            if (apps.size() == 1) {
                serviceDir = apps.get(0);
                script = GradleBuild.script(serviceDir);
            }
        }
        if (script == null) {
            throw SlipwayException.usage("no application project in " + dir + ": no build.gradle(.kts) here, and none"
                    + " of the included projects applies the 'application', 'org.springframework.boot', 'io.quarkus'"
                    + " or 'io.micronaut.application' plugin; run 'slipway init PROJECT_DIR' in the one to ship");
        }
        GradleBuild build = GradleBuild.read(script);
        GradleBuild rootBuild = root.equals(serviceDir) || GradleBuild.script(root) == null ? build
                : GradleBuild.read(GradleBuild.script(root));
        if (!isGradleApp(build)) {
            throw SlipwayException.usage(root.relativize(script) + " applies none of the plugins 'application',"
                    + " 'org.springframework.boot', 'io.quarkus', 'io.micronaut.application': Slipway ships the"
                    + " layout of Gradle's installDist (build/install/NAME/lib) or a Spring Boot bootJar; add"
                    + " plugins { id 'application' } and application { mainClass = 'your.Main' }");
        }
        List<String> deps = new ArrayList<>(build.dependencies());
        rootBuild.dependencies().stream().filter(d -> !deps.contains(d)).forEach(deps::add);
        Framework fw = gradleFramework(build, deps);
        String[] main = gradleMain(serviceDir, build, fw, mainHint);
        String projectName = root.equals(serviceDir)
                ? java.util.Optional.ofNullable(GradleBuild.rootProjectName(GradleBuild.settings(root)))
                        .orElse(serviceDir.getFileName().toString())
                : serviceDir.getFileName().toString();
        Integer jdk = build.jdk() != null ? build.jdk() : rootBuild.jdk();
        String jdkSource = build.jdk() != null ? build.jdkSource() : rootBuild.jdkSource();
        return new Project(serviceDir, root, BuildTool.GRADLE, serviceName(projectName), main[0], main[1],
                jdk == null ? DEFAULT_JDK : jdk, jdk == null ? "none set; Slipway's minimum" : jdkSource, fw,
                List.copyOf(deps), POSTGRES_DRIVERS.stream().anyMatch(deps::contains), null, build);
    }

    /** @return whether a Gradle project builds something Slipway can ship */
    private static boolean isGradleApp(GradleBuild b) {
        return b.applies("application") || b.applies("org.springframework.boot") || b.applies("io.quarkus")
                || b.applies("io.micronaut.application") || b.applies("io.micronaut.minimal.application");
    }

    private static Framework gradleFramework(GradleBuild b, List<String> deps) {
        java.util.function.Predicate<String> uses = g -> deps.stream().anyMatch(d -> d.startsWith(g));
        if (b.applies("org.springframework.boot") || uses.test("org.springframework.boot:")) {
            return Framework.SPRING_BOOT;
        }
        if (b.applies("io.quarkus") || uses.test("io.quarkus")) {
            return Framework.QUARKUS;
        }
        if (b.applies("io.micronaut.application") || b.applies("io.micronaut.minimal.application")
                || uses.test("io.micronaut")) {
            return Framework.MICRONAUT;
        }
        return byGroup(uses, Framework.PLAIN);
    }

    /**
     * @param uses   whether the build uses a group: a dependency (or, for Maven, the parent) whose
     *               coordinates start with it
     * @param orElse what to return when no group of {@link #BY_GROUP} is used
     * @return the first framework of {@link #BY_GROUP} whose group the build uses, else {@code orElse}
     */
    private static Framework byGroup(java.util.function.Predicate<String> uses, Framework orElse) {
        return BY_GROUP.stream().filter(e -> uses.test(e.getKey())).map(Map.Entry::getValue).findFirst().orElse(orElse);
    }

    private static String[] gradleMain(Path dir, GradleBuild b, Framework fw, String hint) {
        if (hint != null) {
            return new String[] {hint, "--main"};
        }
        if (b.mainClass() != null) {
            return new String[] {b.mainClass(), "mainClass in " + b.file().getFileName()};
        }
        return sourceMain(dir, fw);
    }

    private static void collectApps(Path dir, Pom pom, List<Path> apps, int depth) {
        for (String m : pom.modules()) {
            Path mdir = dir.resolve(m).normalize();
            Path mpom = mdir.resolve("pom.xml");
            if (m.endsWith(".xml")) {
                mpom = mdir;
                mdir = mdir.getParent();
            }
            if (!Files.isRegularFile(mpom)) {
                continue;
            }
            Pom p = Pom.read(mpom);
            if (!p.modules().isEmpty() && depth < 4) {
                collectApps(mdir, p, apps, depth + 1);
            } else if (shippablePackaging(p) && (configuredMain(p, null) != null
                    || QUARKUS_PLUGINS.stream().anyMatch(p.plugins()::containsKey)
                    || p.usesGroupPrefix("io.helidon.microprofile")
                    || !sourceMains(mdir).isEmpty())) {
                apps.add(mdir);
            }
        }
    }

    static Framework framework(Pom pom, Pom root) {
        for (Pom p : List.of(pom, root)) {
            if ((p.parent() != null && p.parent().startsWith("org.springframework.boot:"))
                    || p.uses("org.springframework.boot")
                    || p.plugins().containsKey("org.springframework.boot:spring-boot-maven-plugin")) {
                return Framework.SPRING_BOOT;
            }
            if (p.usesGroupPrefix("io.quarkus") || QUARKUS_PLUGINS.stream().anyMatch(p.plugins()::containsKey)
                    || "quarkus".equals(p.packaging())) {
                return Framework.QUARKUS;
            }
            if ((p.parent() != null && p.parent().startsWith("io.micronaut")) || p.usesGroupPrefix("io.micronaut")
                    || p.plugins().containsKey("io.micronaut.maven:micronaut-maven-plugin")) {
                return Framework.MICRONAUT;
            }
            if ("io.helidon.applications:helidon-mp".equals(p.parent())) {
                return Framework.HELIDON_MP;
            }
            Framework byGroup = byGroup(g -> p.usesGroupPrefix(g) || p.parent() != null && p.parent().startsWith(g), null);
            if (byGroup != null) {
                return byGroup;
            }
        }
        return Framework.PLAIN;
    }

    /** @return {main class, source} from the POM's plugin configuration, or {@code null} */
    private static String[] configuredMain(Pom pom, Pom root) {
        List<Pom> poms = root == null || root == pom ? List.of(pom) : List.of(pom, root);
        for (Pom p : poms) {
            String[][] places = {
                {"org.apache.maven.plugins:maven-jar-plugin", "the jar plugin's manifest (archive/manifest/mainClass)",
                    "archive", "manifest", "mainClass"},
                {"org.springframework.boot:spring-boot-maven-plugin", "the Spring Boot plugin's mainClass", "mainClass"},
                {"org.apache.maven.plugins:maven-shade-plugin", "the shade plugin's manifest transformer", "*", "mainClass"},
                {"org.apache.maven.plugins:maven-assembly-plugin", "the assembly plugin's manifest",
                    "archive", "manifest", "mainClass"},
                // Manifest entries written as such (Vert.x's starter: <Main-Class>${launcher.class}</Main-Class>).
                {"org.apache.maven.plugins:maven-jar-plugin", "the jar plugin's manifestEntries/Main-Class",
                    "archive", "manifestEntries", "Main-Class"},
                {"org.apache.maven.plugins:maven-shade-plugin", "the shade plugin's manifestEntries/Main-Class",
                    "*", "manifestEntries", "Main-Class"},
                {"org.apache.maven.plugins:maven-assembly-plugin", "the assembly plugin's manifestEntries/Main-Class",
                    "archive", "manifestEntries", "Main-Class"},
                // An app whose jar names no Main-Class and is run with 'mvn exec:java': the class is in the
                // exec plugin's <configuration><mainClass> (or its exec.mainClass property, read below).
                {EXEC_PLUGIN, "the exec plugin's mainClass", "mainClass"},
            };
            for (String[] place : places) {
                String v = p.pluginConfig(place[0], java.util.Arrays.copyOfRange(place, 2, place.length));
                if (v != null && !v.isBlank() && !v.contains("${")) {
                    // exec:java takes a modular app's main as module/class, as java's --module does.
                    return new String[] {v.substring(v.indexOf('/') + 1), place[1]};
                }
            }
            List<String> javaLine = execJavaLine(p);
            String launched = javaLine == null ? null : javaCommandMain(javaLine);
            if (launched != null) {
                return new String[] {launched, "the exec plugin's java arguments"};
            }
            // spring-boot.run.main-class: Spring Boot 3's starter parent gives it to run and repackage
            // (defaulting to ${start-class}), so it names the app among several @SpringBootApplication.
            for (String prop : List.of("spring-boot.run.main-class", "start-class", "main.class", "mainClass",
                    "exec.mainClass")) {
                String v = p.property(prop);
                if (v != null && !v.isBlank() && !v.contains("${")) {
                    return new String[] {v, "the POM property " + prop};
                }
            }
        }
        return null;
    }

    /** The exec plugin ({@code mvn exec:java}, {@code mvn exec:exec}), as {@code groupId:artifactId}. */
    private static final String EXEC_PLUGIN = "org.codehaus.mojo:exec-maven-plugin";

    /**
     * The arguments of the java command line {@code exec:exec} runs, when its {@code executable} is
     * {@code java} (a name or a path ending in {@code /java}).
     *
     * @param pom the module's POM
     * @return the arguments after the executable, or {@code null} when the plugin runs no java
     */
    private static List<String> execJavaLine(Pom pom) {
        String executable = pom.pluginConfig(EXEC_PLUGIN, "executable");
        return executable != null && executable.matches("(.*/)?java") ? pom.pluginArguments(EXEC_PLUGIN) : null;
    }

    /** java's options that take the next argument as their value (java(1) of JDK 17). */
    private static final Set<String> JAVA_OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
            "--module-path", "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-reads",
            "--add-exports", "--add-opens", "--patch-module", "--enable-native-access");

    /**
     * The main class a java command line starts, as the exec plugin's {@code exec:exec} runs an app
     * whose jar names none: the class after the options ({@code -classpath %classpath com.acme.Main}),
     * or the class of {@code --module mod/com.acme.Main} ({@code -m}, {@code --module=}); the rules
     * are java(1)'s launcher synopsis.
     *
     * @param args the arguments after the executable; {@code %classpath} and {@code %modulepath}
     *             stand for the paths the plugin fills in
     * @return the class, or {@code null} when the line starts a jar ({@code -jar}), a module by its
     *         descriptor's main class only, or nothing that reads as a class name
     */
    static String javaCommandMain(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-m") || a.equals("--module") || a.startsWith("--module=")) {
                String module = a.startsWith("--module=") ? a.substring("--module=".length())
                        : i + 1 < args.size() ? args.get(i + 1) : "";
                int slash = module.indexOf('/');
                return slash < 0 ? null : className(module.substring(slash + 1));
            }
            if (a.equals("-jar")) {
                return null;
            }
            if (JAVA_OPTIONS_WITH_VALUE.contains(a)) {
                i++;
            } else if (!a.startsWith("-") && !a.startsWith("%")) {
                return className(a);
            }
        }
        return null;
    }

    /**
     * The program arguments the exec plugin runs the app's main class with, for a project whose main
     * class came from that plugin ({@link #mainSource()} names it or the property {@code exec.mainClass}):
     * exec:java's {@code <arguments>} (else the property {@code exec.args}), or the words after the
     * class on exec:exec's java command line.
     *
     * @param pom the module's POM
     * @return the arguments as written, {@code ${...}} expanded; empty when there are none
     */
    static List<String> execProgramArguments(Pom pom) {
        List<String> given = pom.pluginArguments(EXEC_PLUGIN);
        if (execJavaLine(pom) != null) {
            String main = javaCommandMain(given);
            for (int i = 0; main != null && i < given.size(); i++) {
                String a = given.get(i);
                if (a.equals(main) || a.endsWith("/" + main)) { // com.acme.Main, app/com.acme.Main, --module=app/…
                    return List.copyOf(given.subList(i + 1, given.size()));
                }
            }
            return List.of();
        }
        if (!given.isEmpty()) {
            return given;
        }
        String line = pom.property("exec.args");
        return line == null || line.isBlank() || line.contains("${") ? List.of() : List.of(line.trim().split("\\s+"));
    }

    private static String className(String s) {
        return s.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*") ? s : null;
    }

    private static String[] mainClass(Path dir, Pom pom, Pom root, Framework fw, String hint) {
        if (hint != null) {
            return new String[] {hint, "--main"};
        }
        String[] configured = configuredMain(pom, root);
        if (configured != null) {
            return configured;
        }
        return sourceMain(dir, fw);
    }

    /** The main class from the sources, or the framework's own; exit 2 when none or several. */
    private static String[] sourceMain(Path dir, Framework fw) {
        List<String[]> found = sourceMains(dir);
        if (found.size() == 1) {
            return new String[] {found.get(0)[0], "the only main method in " + found.get(0)[2]};
        }
        if (found.size() > 1 && fw == Framework.SPRING_BOOT) {
            List<String[]> boot = found.stream().filter(f -> f[1].contains("@SpringBootApplication")).toList();
            if (boot.size() == 1) {
                return new String[] {boot.get(0)[0], "the @SpringBootApplication class"};
            }
        }
        if (fw == Framework.QUARKUS && found.isEmpty()) {
            return new String[] {null, "Quarkus writes the runner jar's Main-Class"};
        }
        if (fw == Framework.HELIDON_MP && found.isEmpty()) {
            return new String[] {HELIDON_MP_MAIN, "Helidon MP's CDI container (the helidon-mp parent's mainClass)"};
        }
        if (found.isEmpty()) {
            throw SlipwayException.usage("no main class in " + dir + ": no main class in the build file and no"
                    + " 'public static void main(String[])' in src/main/java (nor a top-level 'fun main' in src/main/kotlin);"
                    + " give one with --main CLASS");
        }
        throw SlipwayException.usage("several main classes in " + dir + ": "
                + found.stream().map(f -> f[0]).sorted().toList() + "; choose one with --main CLASS");
    }

    /**
     * A Kotlin top-level {@code fun main} (not indented: a companion object's is a member), which the
     * Kotlin compiler puts in the file's facade class {@code <File>Kt}, or the name of
     * {@code @file:JvmName} (Kotlin reference, "Calling Kotlin from Java": package-level functions).
     */
    private static final Pattern KOTLIN_MAIN = Pattern.compile("^fun\\s+main\\s*\\(", Pattern.MULTILINE);
    private static final Pattern KOTLIN_PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)", Pattern.MULTILINE);
    private static final Pattern KOTLIN_JVM_NAME = Pattern.compile("@file\\s*:\\s*JvmName\\(\\s*\"([\\w$]+)\"");

    /**
     * @return {class name, source text, source directory} for each source file with a main method: Java files in
     *         {@code src/main/java}, Kotlin files in {@code src/main/kotlin} and {@code src/main/java}
     */
    private static List<String[]> sourceMains(Path moduleDir) {
        List<String[]> out = new ArrayList<>();
        for (Path src : List.of(moduleDir.resolve("src/main/java"), moduleDir.resolve("src/main/kotlin"))) {
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(src, 32)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".kt"))
                        .sorted().toList()) {
                    String text = Files.readString(f);
                    String name = f.getFileName().toString();
                    String where = moduleDir.relativize(src).toString();
                    if (name.endsWith(".java") && MAIN.matcher(text).find()) {
                        Matcher pkg = PACKAGE.matcher(text);
                        String simple = name.replace(".java", "");
                        out.add(new String[] {pkg.find() ? pkg.group(1) + "." + simple : simple, text, where});
                    } else if (name.endsWith(".kt") && KOTLIN_MAIN.matcher(text).find()) {
                        Matcher pkg = KOTLIN_PACKAGE.matcher(text);
                        Matcher jvmName = KOTLIN_JVM_NAME.matcher(text);
                        String base = name.substring(0, name.length() - 3);
                        String simple = jvmName.find() ? jvmName.group(1)
                                : Character.toUpperCase(base.charAt(0)) + base.substring(1) + "Kt";
                        out.add(new String[] {pkg.find() ? pkg.group(1) + "." + simple : simple, text, where});
                    }
                }
            } catch (IOException e) {
                throw SlipwayException.failed("cannot read sources in " + src + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static String[] jdk(Pom pom, Pom root) {
        for (Pom p : List.of(pom, root)) {
            for (String[] place : new String[][] {
                {"maven.compiler.release", "maven.compiler.release"}, {"java.version", "java.version (Spring Boot)"},
                {"release.version", "release.version (Micronaut)"}, {"jdk.version", "jdk.version (Micronaut)"},
                {"maven.compiler.source", "maven.compiler.source"}, {"maven.compiler.target", "maven.compiler.target"}}) {
                Integer v = feature(p.property(place[0]));
                if (v != null) {
                    return new String[] {v.toString(), place[1]};
                }
            }
            for (String key : List.of("release", "source")) {
                Integer v = feature(p.pluginConfig("org.apache.maven.plugins:maven-compiler-plugin", key));
                if (v != null) {
                    return new String[] {v.toString(), "the compiler plugin's " + key};
                }
            }
        }
        return new String[] {Integer.toString(DEFAULT_JDK), "none set; Slipway's minimum"};
    }

    /** @return the feature release of "1.8", "11", "17" or {@code null} */
    private static Integer feature(String v) {
        if (v == null) {
            return null;
        }
        Matcher m = Pattern.compile("(?:1\\.)?(\\d+)").matcher(v.trim());
        return m.matches() ? Integer.valueOf(m.group(1)) : null;
    }

    /**
     * The Java sources of the application module ({@code src/main/java}), for the proposals that
     * depend on what the code does (does it read {@code PORT}? which port does it bind?).
     *
     * @return source file (relative to the service directory) to its text, in path order; at most 2000 files
     * @throws SlipwayException (exit 1) when a source cannot be read
     */
    public Map<String, String> sources() {
        Path src = serviceDir.resolve("src/main/java");
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (!Files.isDirectory(src)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(src, 32)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().limit(2000).toList()) {
                out.put(serviceDir.relativize(f).toString(), Files.readString(f));
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read sources in " + src + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The Kotlin sources of the service ({@code .kt} under {@code src/main/kotlin} and
     * {@code src/main/java}), for the reading of its routes (Ktor, http4k, Spring or Micronaut in Kotlin).
     *
     * @return source file (relative to the service directory) to its text, in path order; at most 2000 files
     * @throws SlipwayException (exit 1) when a source cannot be read
     */
    public Map<String, String> kotlinSources() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String dir : List.of("src/main/kotlin", "src/main/java")) {
            Path src = serviceDir.resolve(dir);
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(src, 32)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".kt")).sorted().limit(2000 - out.size()).toList()) {
                    out.put(serviceDir.relativize(f).toString(), Files.readString(f));
                }
            } catch (IOException e) {
                throw SlipwayException.failed("cannot read sources in " + src + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** @return the detected facts as {@code key: value} pairs, for {@code --dry-run} and tests */
    public Map<String, String> facts() {
        var m = new java.util.LinkedHashMap<String, String>();
        m.put("build", buildTool == BuildTool.MAVEN ? "Maven (" + buildFile() + ")" : "Gradle (" + buildFile() + ")");
        m.put("module", multiModule() ? modulePath() : ".");
        m.put("name", name);
        m.put("main", mainClass == null ? "(from the jar manifest)" : mainClass);
        m.put("jdk", Integer.toString(jdk));
        m.put("framework", framework.label());
        m.put("postgresql", Boolean.toString(postgres));
        return m;
    }
}
