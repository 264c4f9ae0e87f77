package dev.slipway.build;

import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What the service's build produced, as Slipway ships it: the application's own jars, its
 * dependency jars in the framework's class path order, the main class, and where they came from.
 * {@link BuildOutputs#locate} finds it; {@link #placeInto} lays it out under {@code app/}.
 *
 * <p>Two shapes: jars ({@code tree == null}), shipped as {@code app/<app jar>} and
 * {@code app/lib/<dependency>}, on the class path in that order; or a directory tree that must keep
 * its shape (Quarkus' fast-jar, whose runner finds its jars relative to {@code quarkus-run.jar}),
 * shipped as {@code app/<tree name>/} with only {@code launchJar} on the class path.
 *
 * @param layout       which build output this is
 * @param source       the file or directory it was read from (a fat jar, {@code target/quarkus-app}, a jar)
 * @param appJars      the application's own jars, in class path order; for a tree, its jars of
 *                     application code (those jdeps analyses as its roots)
 * @param dependencies the dependency jars, in the framework's class path order; for a tree, every
 *                     other jar in it (so that jdeps sees every jar that is shipped)
 * @param mainClass    the class the launcher starts
 * @param tree         the directory shipped whole as {@code app/<its name>/}, or {@code null}
 * @param launchJar    for a tree, the jar on the class path, relative to {@code tree}
 *                     (e.g. {@code quarkus-run.jar}); else {@code null}
 * @param jvmOptions   JVM options that {@code java -jar} would take from the main jar's manifest
 *                     ({@code Add-Opens}, {@code Add-Exports}, {@code Enable-Native-Access}: the JAR
 *                     File Specification honours them only for an executable jar, and Slipway starts
 *                     the main class on a class path)
 * @param notes        what was left out and why, one line each, for the progress output
 */
public record BuildOutput(Layout layout, Path source, List<Path> appJars, List<Path> dependencies, String mainClass,
                          Path tree, String launchJar, List<String> jvmOptions, List<String> notes) {

    /** The build outputs Slipway reads, in the order it looks for them. */
    public enum Layout {
        /** {@code build.jar} and/or {@code build.lib} as configured. */
        CONFIGURED("the configured jar"),
        /** A Spring Boot executable jar ({@code BOOT-INF/classes}, {@code BOOT-INF/lib}), exploded. */
        SPRING_BOOT("Spring Boot executable jar"),
        /** Quarkus' fast-jar directory ({@code quarkus-app/}), shipped whole. */
        QUARKUS_FAST_JAR("Quarkus fast-jar"),
        /** One jar with every dependency inside (assembly, shade, Quarkus uber-jar, Gradle shadow). */
        UBER_JAR("uber jar"),
        /** Gradle's {@code installDist}: {@code build/install/<name>/lib/*.jar} and its start script. */
        GRADLE_INSTALL("Gradle installDist"),
        /** A plain jar and the dependencies copied beside it ({@code target/slipway/lib}). */
        JAR_AND_LIB("jar and dependency directory");

        private final String description;

        Layout(String description) {
            this.description = description;
        }

        /** @return the layout's name for people, e.g. {@code Spring Boot executable jar} */
        public String description() {
            return description;
        }
    }

    /** @return the application jars followed by the dependencies: every jar that is shipped */
    public List<Path> all() {
        List<Path> all = new ArrayList<>(appJars);
        all.addAll(dependencies);
        return all;
    }

    /**
     * Copies the output into a layout's {@code app/} directory.
     *
     * @param layoutRoot the layout root (holding {@code app/}, which must exist)
     * @return the class path entries it added, relative to the layout root, in order (e.g.
     *         {@code app/demo.jar}, {@code app/lib/spring-core-6.2.12.jar}, or
     *         {@code app/quarkus-app/quarkus-run.jar})
     * @throws IOException when a copy fails
     */
    public List<String> placeInto(Path layoutRoot) throws IOException {
        Path app = layoutRoot.resolve("app");
        List<String> classpath = new ArrayList<>();
        if (tree != null) {
            Trees.copyTree(tree, app.resolve(tree.getFileName().toString()));
            classpath.add("app/" + tree.getFileName() + "/" + launchJar);
            return classpath;
        }
        for (Path jar : appJars) {
            Files.copy(jar, app.resolve(jar.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            classpath.add("app/" + jar.getFileName());
        }
        if (!dependencies.isEmpty()) {
            Files.createDirectories(app.resolve("lib"));
        }
        for (Path dep : dependencies) {
            Files.copy(dep, app.resolve("lib").resolve(dep.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            String entry = "app/lib/" + dep.getFileName();
            if (!classpath.contains(entry)) {
                classpath.add(entry);
            }
        }
        return classpath;
    }

    /** @return a one-line summary for the progress output, e.g. {@code Spring Boot executable jar target/demo.jar (36 libraries)} */
    public String describe(Path serviceDir) {
        String where = source.startsWith(serviceDir) ? serviceDir.relativize(source).toString() : source.toString();
        int jars = tree != null ? all().size() : dependencies.size();
        return layout.description() + " " + where + " (" + (tree != null ? jars + " jars" : jars == 0 ? "no dependencies"
                : jars == 1 ? "1 dependency" : jars + " dependencies") + ", main class " + mainClass + ")";
    }
}
