package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A build that fails because its JDK is older than the project's release says which installed JDK
 * to set as build.jdk, in javac's wordings as Maven's compiler plugin prints them.
 */
class TooOldJdkHintTest {
    @Test
    void javacRefusingANewerReleaseNamesAnInstalledJdk() {
        String maven = "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.13.0:compile"
                + " (default-compile) on project app: Fatal error compiling: error: release version 21 not supported -> [Help 1]";
        assertEquals(Optional.of("hint: the project compiles for Java 21 and the JDK in $JAVA_HOME or on PATH is older:"
                        + " set build.jdk in slipway.yaml to /usr/lib/jvm/temurin-25-jdk-amd64 (installed here)"),
                MavenProject.tooOldJdkHint(maven, null, r -> r <= 25 ? Optional.of("/usr/lib/jvm/temurin-25-jdk-amd64")
                        : Optional.empty()));
        String jdk8 = "[ERROR] Fatal error compiling: invalid target release: 17";
        String none = MavenProject.tooOldJdkHint(jdk8, Path.of("/opt/jdk8"), r -> Optional.empty()).orElseThrow();
        assertTrue(none.contains("Java 17 and build.jdk (/opt/jdk8) is older: install a JDK 17 or newer"), none);
        assertEquals(Optional.empty(), MavenProject.tooOldJdkHint("[ERROR] COMPILATION ERROR : cannot find symbol",
                null, r -> Optional.of("/x")), "another failure: no hint");
    }
}
