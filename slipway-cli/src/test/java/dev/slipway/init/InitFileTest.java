package dev.slipway.init;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file {@code slipway init} writes reads well: its comments stay within 100 columns. */
class InitFileTest {
    @TempDir
    Path tmp;

    @Test
    void everyCommentLineFitsIn100Columns() throws Exception {
        Projects.gradleApplication(tmp.resolve("gradle")); // "the Java toolchain in app/build.gradle.kts": a long source
        Projects.helidonSe(tmp.resolve("helidon"), true);
        Projects.springBoot3Jpa(tmp.resolve("spring"));
        Projects.javalin(tmp.resolve("javalin"), 7070);
        for (Path dir : List.of(tmp.resolve("gradle/app"), tmp.resolve("helidon"), tmp.resolve("spring"), tmp.resolve("javalin"))) {
            String text = InitFile.render(Proposal.of(Project.detect(dir, null), null));
            for (String line : text.split("\n")) {
                assertTrue(!line.strip().startsWith("#") || line.length() <= 100, line.length() + " columns: " + line + "\n" + text);
            }
        }
    }

    /**
     * The commented build.jdk names a JDK installed here that is new enough (the one init's warning
     * names), not a Debian package path that may not exist; without one, the package path.
     */
    @Test
    void theCommentedBuildJdkNamesAnInstalledJdkWhenThereIsOne() throws Exception {
        Projects.helidonSe(tmp.resolve("helidon"), true); // Helidon 4: Java 21
        Proposal x = Proposal.of(Project.detect(tmp.resolve("helidon"), null), null);
        java.util.List<Integer> asked = new java.util.ArrayList<>();
        String found = InitFile.render(x, release -> {
            asked.add(release);
            return java.util.Optional.of("/opt/jdks/temurin-25");
        });
        assertEquals(List.of(21), asked, "asked for the project's release");
        assertTrue(found.contains("\n  # jdk: /opt/jdks/temurin-25\n"), found);
        String none = InitFile.render(x, release -> java.util.Optional.empty());
        assertTrue(none.contains("\n  # jdk: /usr/lib/jvm/java-21-openjdk-amd64\n"), none);
    }
}
