package dev.slipway.release;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.Console;
import dev.slipway.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Issue 20, item 15: the image push line without image.repository names the missing key, not "null". */
class ImagePushStepTest {
    private static ReleaseContext context(String yaml) {
        var config = ConfigLoader.parse(Path.of("svc/slipway.yaml"), yaml);
        var git = new GitRelease("0123456789abcdef0123456789abcdef01234567", "0123456", Instant.EPOCH, false, "v1.0.0", null);
        PrintWriter w = new PrintWriter(new StringWriter());
        return new ReleaseContext(config, new ReleasePipeline.Options(false, false, false, false), git, "1.0.0",
                new Console(w, w, false), System::getenv);
    }

    @Test
    void withoutARepositoryTheLineSaysWhy() {
        var step = new ImagePush();
        ReleaseContext c = context("name: svc\n");
        assertEquals("push image: skipped (no image.repository in slipway.yaml)",
                step.describe(c) + ": skipped (" + step.skipReason(c) + ")");
    }

    @Test
    void withARepositoryTheLineNamesIt() {
        var step = new ImagePush();
        ReleaseContext c = context("name: svc\nimage:\n  repository: registry.example.com/acme/svc\n");
        assertEquals("push image to registry.example.com/acme/svc", step.describe(c));
    }
}
