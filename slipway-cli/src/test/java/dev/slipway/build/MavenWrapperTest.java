package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mvn} in {@code build.command} runs the project's Maven wrapper, also from a module of a
 * multi-module build whose wrapper is at the reactor root (new-user finding: {@code init} in such a
 * build writes {@code mvn -f ../pom.xml ... -pl :module -am}, which ran the {@code mvn} on PATH, an
 * older Maven than the wrapper pinned, and the build failed where {@code ./mvnw package} passed).
 */
class MavenWrapperTest {
    @TempDir
    Path tmp;

    private static final Console QUIET = new Console(new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()), false);

    /** A wrapper script that records how it was called (its path as called, then its arguments) in {@code called}. */
    private static void fakeWrapper(Path dir, Path record) throws Exception {
        Path w = dir.resolve("mvnw");
        Files.writeString(w, "#!/bin/sh\necho \"$0 $*\" > '" + record + "'\n");
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path module(Path root, String name) throws Exception {
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Path svc = Files.createDirectories(root.resolve(name));
        Files.writeString(svc.resolve("pom.xml"), "<project/>");
        Files.writeString(svc.resolve("slipway.yaml"), "name: svc\nmain: x.Main\nbuild:\n"
                + "  command: [mvn, -q, -f, ../pom.xml, package, -pl, ':svc', -am]\n");
        return svc;
    }

    /**
     * {@code rw-r--r--}: a wrapper without its exec bit runs through {@code sh} (found by a new user:
     * a project unzipped by a tool that drops file modes ran the mvn on PATH, another Maven than the
     * wrapper pins).
     */
    @ParameterizedTest
    @ValueSource(strings = {"rwxr-xr-x", "rw-r--r--"})
    void aModuleBuildRunsTheWrapperAtTheReactorRoot(String mode) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("shop"));
        Path svc = module(root, "service");
        Path record = tmp.resolve("called");
        fakeWrapper(root, record);
        Files.setPosixFilePermissions(root.resolve("mvnw"), PosixFilePermissions.fromString(mode));
        MavenProject.compile(ConfigLoader.loadFromDir(svc), QUIET);
        assertEquals(List.of("../mvnw -q -f ../pom.xml package -pl :svc -am"), Files.readAllLines(record),
                "the wrapper ran ($0 is its path) with the command's arguments");
    }

    @Test
    void theWrapperIsLookedForOnlyWithinTheMavenBuild() throws Exception {
        Path record = tmp.resolve("called");
        Path root = Files.createDirectories(tmp.resolve("shop"));
        Path svc = module(root, "service");
        assertEquals(Optional.empty(), MavenProject.wrapper(svc), "no wrapper anywhere");

        // A wrapper above a directory without pom.xml belongs to another build.
        Path nested = Files.createDirectories(tmp.resolve("outer/plain/svc"));
        Files.writeString(nested.resolve("pom.xml"), "<project/>");
        fakeWrapper(tmp.resolve("outer"), record);
        assertEquals(Optional.empty(), MavenProject.wrapper(nested));

        // The module's own wrapper wins over the root's, with or without its exec bit.
        fakeWrapper(root, record);
        fakeWrapper(svc, record);
        assertEquals(Optional.of("./mvnw"), MavenProject.wrapper(svc));
        Files.setPosixFilePermissions(svc.resolve("mvnw"), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Optional.of("./mvnw"), MavenProject.wrapper(svc));
        Files.delete(svc.resolve("mvnw"));
        assertEquals(Optional.of("../mvnw"), MavenProject.wrapper(svc));
        assertEquals(Optional.of("./mvnw"), MavenProject.wrapper(root), "a single-module project's own wrapper");
        assertFalse(Files.exists(record), "looking runs nothing");
        assertTrue(Files.isExecutable(root.resolve("mvnw")));
    }

    @Test
    void aGradleWrapperWithoutItsExecBitRunsThroughSh() throws Exception {
        // ./gradlew as build.command failed with "Permission denied" (exit 126).
        Path record = tmp.resolve("called");
        Path gradle = Files.createDirectories(tmp.resolve("gradle-app"));
        Files.writeString(gradle.resolve("gradlew"), "#!/bin/sh\necho \"$0 $*\" > '" + record + "'\n");
        Files.writeString(gradle.resolve("slipway.yaml"), "name: g\nmain: x.Main\nbuild:\n  command: [./gradlew, -q, installDist]\n");
        MavenProject.compile(ConfigLoader.loadFromDir(gradle), QUIET);
        assertEquals(List.of("./gradlew -q installDist"), Files.readAllLines(record));
        assertTrue(MavenProject.withoutExecBit(gradle, "./gradlew"));
        assertFalse(MavenProject.withoutExecBit(gradle, "mvn"), "a name on PATH");
        assertFalse(MavenProject.withoutExecBit(gradle, "./missing"));
    }
}
