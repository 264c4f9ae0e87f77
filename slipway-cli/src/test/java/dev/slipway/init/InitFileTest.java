package dev.slipway.init;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
