package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The hint after a Gradle wrapper that could not download its distribution. */
class GradleDownloadHintTest {
    /** What a wrapper prints when the distribution's host does not resolve (Gradle 8's wrapper). */
    private static final String UNREACHABLE = """
            Downloading https://services.example/distributions/gradle-8.14.2-bin.zip

            Exception in thread "main" java.net.UnknownHostException: services.example
            \tat java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:567)
            \tat org.gradle.wrapper.Download.downloadInternal(Download.java:129)
            """;

    @Test
    void aWrapperThatCouldNotDownloadGetsBothWaysOut() {
        String hint = MavenProject.gradleDownloadHint(List.of("./gradlew", "-q", "bootJar"), UNREACHABLE).orElseThrow();
        assertTrue(hint.contains("distributionUrl in gradle/wrapper/gradle-wrapper.properties"), hint);
        assertTrue(hint.endsWith("set build.command in slipway.yaml to [\"gradle\", \"-q\", \"bootJar\"]"), hint);
        // a subproject's wrapper and task path, and a wrapper whose trace alone names its classes
        String sub = MavenProject.gradleDownloadHint(List.of("../gradlew", "-q", ":app:installDist"),
                "Exception in thread \"main\" java.io.IOException: timeout\n\tat org.gradle.wrapper.Install$1.call")
                .orElseThrow();
        assertTrue(sub.endsWith("[\"gradle\", \"-q\", \":app:installDist\"]"), sub);
    }

    @Test
    void otherFailuresGetNone() {
        assertEquals(Optional.empty(), MavenProject.gradleDownloadHint(List.of("./gradlew", "-q", "bootJar"),
                "FAILURE: Build failed with an exception.\n* What went wrong:\nExecution failed for task ':compileJava'."));
        assertEquals(Optional.empty(), MavenProject.gradleDownloadHint(List.of("mvn", "-q", "package"), UNREACHABLE));
    }
}
