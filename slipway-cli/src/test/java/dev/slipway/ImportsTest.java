package dev.slipway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Imports run one way (docs/architecture.md): the build side and the packages under it never name
 * the deploy side ({@code deploy/}, {@code canary/}) or the CLI. Read from the sources, so a
 * fully qualified name counts as much as an import.
 */
class ImportsTest {
    private static final Path MAIN = Path.of("src/main/java/dev/slipway");
    private static final Pattern UP = Pattern.compile("\\bdev\\.slipway\\.(deploy|canary|cli)\\.[A-Z]");

    @Test
    void theBuildSideAndWhatItUsesNeverNameTheDeploySide() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        for (String pkg : List.of("build", "image", "release", "pipeline", "artifact", "remote", "util")) {
            try (Stream<Path> s = Files.walk(MAIN.resolve(pkg))) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    Matcher m = UP.matcher(text);
                    while (m.find()) {
                        found.add(MAIN.relativize(f) + ": " + m.group());
                    }
                }
            }
        }
        assertTrue(files > 50, "read the sources: " + files + " files");
        assertEquals(List.of(), found);
    }

    @Test
    void theCheckSeesAnImportOfTheDeploySide() {
        assertTrue(UP.matcher("import dev.slipway.deploy.Gate;").find());
        assertTrue(UP.matcher("x = dev.slipway.canary.CanaryRun.of(y);").find());
    }
}
