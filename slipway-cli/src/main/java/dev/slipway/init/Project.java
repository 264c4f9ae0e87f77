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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@code slipway init} and {@code slipway render ci} learn about an existing Maven project
 * from its POMs and sources, without building it.
 *
 * @param serviceDir  the directory of the application module (where {@code slipway.yaml} goes)
 * @param rootDir     the reactor root; equals {@code serviceDir} for a single-module project
 * @param pom         the application module's POM
 * @param name        a service name derived from the artifact id (lower case, Slipway's name rule)
 * @param mainClass   the main class, or {@code null} when the jar's manifest names it (Quarkus)
 * @param mainSource  where the main class came from, for the file's comments
 * @param jdk         the Java feature release the project compiles for (e.g. 17)
 * @param jdkSource   where the JDK release came from
 * @param framework   the detected framework
 * @param postgres    whether the project depends on the PostgreSQL JDBC driver
 */
public record Project(Path serviceDir, Path rootDir, Pom pom, String name, String mainClass, String mainSource,
                      int jdk, String jdkSource, Framework framework, boolean postgres) {

    /** The Java release assumed when the POM names none (Slipway's minimum). */
    public static final int DEFAULT_JDK = 17;

    private static final Pattern MAIN = Pattern.compile(
            "(public\\s+static|static\\s+public)\\s+void\\s+main\\s*\\(\\s*(final\\s+)?String\\s*(\\[\\s*]|\\.\\.\\.)");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    /**
     * The frameworks Slipway knows, with their probe paths and how their port is set.
     *
     * @param label     the name shown to the user
     * @param readiness the readiness probe path
     * @param liveness  the liveness probe path
     * @param portEnv   the environment variable the framework reads its HTTP port from, or {@code null}
     */
    public enum Framework {
        /** Spring Boot: Actuator's health groups (Spring Boot 2.3+). */
        SPRING_BOOT("Spring Boot", "/actuator/health/readiness", "/actuator/health/liveness", "SERVER_PORT"),
        /** Quarkus on the JVM: SmallRye Health under the non-application root {@code /q}. */
        QUARKUS("Quarkus (JVM)", "/q/health/ready", "/q/health/live", "QUARKUS_HTTP_PORT"),
        /** Helidon: MicroProfile Health. */
        HELIDON("Helidon", "/health/ready", "/health/live", "SERVER_PORT"),
        /** Javalin: no built-in health endpoint; the app adds these routes. */
        JAVALIN("Javalin", "/health/ready", "/health/live", null),
        /** A plain main class. */
        PLAIN("plain Java", "/health/ready", "/health/live", null);

        private final String label;
        private final String readiness;
        private final String liveness;
        private final String portEnv;

        Framework(String label, String readiness, String liveness, String portEnv) {
            this.label = label;
            this.readiness = readiness;
            this.liveness = liveness;
            this.portEnv = portEnv;
        }

        /** @return the name shown to the user */
        public String label() {
            return label;
        }

        /** @return the readiness probe path */
        public String readiness() {
            return readiness;
        }

        /** @return the liveness probe path */
        public String liveness() {
            return liveness;
        }

        /** @return the port variable the framework reads, or {@code null} */
        public String portEnv() {
            return portEnv;
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

    /**
     * The build command that leaves the application jar in the module's {@code target/} and its
     * runtime dependencies in {@code target/slipway/lib}, as {@code slipway build} expects.
     *
     * @return the argv
     */
    public List<String> buildCommand() {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-q", "-B"));
        if (multiModule()) {
            cmd.add("-f");
            cmd.add(serviceDir.relativize(rootDir).resolve("pom.xml").toString());
        }
        cmd.add("-DskipTests");
        cmd.add("package");
        if (multiModule()) {
            cmd.addAll(List.of("-pl", ":" + pom.artifactId(), "-am"));
        }
        if (framework == Framework.QUARKUS) {
            // One runnable jar with every dependency inside; nothing to copy.
            cmd.add("-Dquarkus.package.jar.type=uber-jar");
            return List.copyOf(cmd);
        }
        if (framework == Framework.SPRING_BOOT) {
            // Keep the plain jar: Slipway puts the dependencies on the class path itself.
            cmd.add("-Dspring-boot.repackage.skip=true");
        }
        List<String> def = ConfigLoader.DEFAULT_BUILD_COMMAND;
        cmd.addAll(def.subList(def.indexOf("package") + 1, def.size()));
        return List.copyOf(cmd);
    }

    /** @return whether {@link #buildCommand()} differs from Slipway's default */
    public boolean customBuildCommand() {
        return !buildCommand().equals(ConfigLoader.DEFAULT_BUILD_COMMAND);
    }

    /**
     * Detects the project in {@code dir}: a single-module project, a module of a reactor, or a
     * reactor root whose one application module is chosen.
     *
     * @param dir      a directory holding {@code pom.xml}
     * @param mainHint a main class given by the user, or {@code null}
     * @return what was found
     * @throws SlipwayException (exit 2) when there is no POM, no application module or several,
     *                          or several main classes and no hint
     */
    public static Project detect(Path projectDir, String mainHint) {
        Path dir = projectDir.toAbsolutePath().normalize();
        Path file = dir.resolve("pom.xml");
        if (!Files.isRegularFile(file)) {
            throw SlipwayException.usage("no pom.xml in " + dir + ": slipway init reads an existing Maven project");
        }
        Pom pom = Pom.read(file);
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
        if (!"jar".equals(pom.packaging())) {
            throw SlipwayException.usage(pom.file() + " has packaging '" + pom.packaging()
                    + "'; Slipway ships jar projects");
        }
        Framework fw = framework(pom, rootPom);
        String[] main = mainClass(serviceDir, pom, rootPom, fw, mainHint);
        String[] jdk = jdk(pom, rootPom);
        boolean pg = pom.uses("org.postgresql:postgresql") || rootPom.uses("org.postgresql:postgresql");
        String name = pom.artifactId().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-")
                .replaceAll("^[^a-z0-9]+", "");
        return new Project(serviceDir, root, pom, name.isEmpty() ? "app" : name, main[0], main[1],
                Integer.parseInt(jdk[0]), jdk[1], fw, pg);
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
            } else if ("jar".equals(p.packaging()) && (configuredMain(p, null) != null
                    || p.plugins().containsKey("io.quarkus:quarkus-maven-plugin")
                    || p.plugins().containsKey("io.quarkus.platform:quarkus-maven-plugin")
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
            if (p.uses("io.quarkus") || p.plugins().containsKey("io.quarkus:quarkus-maven-plugin")
                    || p.plugins().containsKey("io.quarkus.platform:quarkus-maven-plugin")) {
                return Framework.QUARKUS;
            }
            if (p.usesGroupPrefix("io.helidon") || (p.parent() != null && p.parent().startsWith("io.helidon"))) {
                return Framework.HELIDON;
            }
            if (p.uses("io.javalin")) {
                return Framework.JAVALIN;
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
            };
            for (String[] place : places) {
                String v = p.pluginConfig(place[0], java.util.Arrays.copyOfRange(place, 2, place.length));
                if (v != null && !v.isBlank() && !v.contains("${")) {
                    return new String[] {v, place[1]};
                }
            }
            for (String prop : List.of("start-class", "main.class", "mainClass", "exec.mainClass")) {
                String v = p.property(prop);
                if (v != null && !v.isBlank() && !v.contains("${")) {
                    return new String[] {v, "the POM property " + prop};
                }
            }
        }
        return null;
    }

    private static String[] mainClass(Path dir, Pom pom, Pom root, Framework fw, String hint) {
        if (hint != null) {
            return new String[] {hint, "--main"};
        }
        String[] configured = configuredMain(pom, root);
        if (configured != null) {
            return configured;
        }
        List<String[]> found = sourceMains(dir);
        if (found.size() == 1) {
            return new String[] {found.get(0)[0], "the only main method in src/main/java"};
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
        if (found.isEmpty()) {
            throw SlipwayException.usage("no main class in " + dir + ": no manifest mainClass in the POM and no"
                    + " 'public static void main(String[])' in src/main/java; give one with --main CLASS");
        }
        throw SlipwayException.usage("several main classes in " + dir + ": "
                + found.stream().map(f -> f[0]).sorted().toList() + "; choose one with --main CLASS");
    }

    /** @return {class name, source text} for each source file with a main method */
    private static List<String[]> sourceMains(Path moduleDir) {
        Path src = moduleDir.resolve("src/main/java");
        List<String[]> out = new ArrayList<>();
        if (!Files.isDirectory(src)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(src, 32)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(f);
                if (MAIN.matcher(text).find()) {
                    Matcher pkg = PACKAGE.matcher(text);
                    String simple = f.getFileName().toString().replace(".java", "");
                    out.add(new String[] {pkg.find() ? pkg.group(1) + "." + simple : simple, text});
                }
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read sources in " + src + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static String[] jdk(Pom pom, Pom root) {
        for (Pom p : List.of(pom, root)) {
            for (String[] place : new String[][] {
                {"maven.compiler.release", "maven.compiler.release"}, {"java.version", "java.version (Spring Boot)"},
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

    /** @return the detected facts as {@code key: value} lines, for {@code --dry-run} and tests */
    public Map<String, String> facts() {
        var m = new java.util.LinkedHashMap<String, String>();
        m.put("module", multiModule() ? modulePath() : ".");
        m.put("name", name);
        m.put("main", mainClass == null ? "(from the jar manifest)" : mainClass);
        m.put("jdk", Integer.toString(jdk));
        m.put("framework", framework.label());
        m.put("readiness", framework.readiness());
        m.put("liveness", framework.liveness());
        m.put("postgresql", Boolean.toString(postgres));
        return m;
    }
}
