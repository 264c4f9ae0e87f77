package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build.jdk} is the JDK the build command runs with, not only the one that links: a project
 * for Java 21 failed with "release version 21 not supported" when {@code build.jdk} named a JDK 21+
 * but {@code java} on {@code PATH} was 17 (new-user finding).
 */
class BuildCommandJdkTest {
    @TempDir
    Path tmp;

    private static final Console QUIET = new Console(new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()), false);

    /** A JDK home elsewhere than {@code java} on PATH: a link to the one running this test. */
    private Path otherJdk() throws Exception {
        Path link = tmp.resolve("jdks/the-jdk");
        Files.createDirectories(link.getParent());
        return Files.createSymbolicLink(link, Path.of(System.getProperty("java.home")));
    }

    @Test
    void theBuildCommandRunsWithBuildJdkAsJavaHomeAndFirstOnPath() throws Exception {
        Path jdk = otherJdk();
        Path svc = Files.createDirectories(tmp.resolve("svc"));
        Files.writeString(svc.resolve("slipway.yaml"), "name: svc\nmain: x.Main\nbuild:\n  jdk: " + jdk + "\n"
                + "  command: [sh, -c, 'echo \"$JAVA_HOME\" > seen; command -v java >> seen']\n");
        MavenProject.compile(ConfigLoader.loadFromDir(svc), QUIET);
        assertEquals(List.of(jdk.toString(), jdk.resolve("bin/java").toString()), Files.readAllLines(svc.resolve("seen")));
    }

    @Test
    void withoutBuildJdkTheCommandKeepsSlipwaysEnvironment() throws Exception {
        assertTrue(MavenProject.commandEnvironment(null, "/usr/bin").isEmpty());
        Path svc = Files.createDirectories(tmp.resolve("svc"));
        Files.writeString(svc.resolve("slipway.yaml"), "name: svc\nmain: x.Main\nbuild:\n"
                + "  command: [sh, -c, 'echo \"${JAVA_HOME-unset}\" > seen']\n");
        MavenProject.compile(ConfigLoader.loadFromDir(svc), QUIET);
        String expected = System.getenv("JAVA_HOME") == null ? "unset" : System.getenv("JAVA_HOME");
        assertEquals(List.of(expected), Files.readAllLines(svc.resolve("seen")));
        assertEquals("/j/bin:/usr/bin", MavenProject.commandEnvironment(Path.of("/j"), "/usr/bin").get("PATH"));
    }
}
