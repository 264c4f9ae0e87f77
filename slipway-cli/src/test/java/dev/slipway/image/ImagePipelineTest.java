package dev.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.Console;
import dev.slipway.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The image's step list, and which steps a release's image (build outputs given) and a plain one skip. */
class ImagePipelineTest {
    private static ImageContext context(boolean fromDist, ImageBuilder.Options options) {
        PrintWriter w = new PrintWriter(new StringWriter());
        return new ImageContext(ConfigLoader.parse(Path.of("svc/slipway.yaml"), "name: svc\n"), options, fromDist,
                new Console(w, w, false), System::getenv);
    }

    @Test
    void theImageRunsTopToBottom() {
        assertEquals(List.of("ReadBuild", "ImageTarget", "PlatformImages", "WriteLayout", "Rootfs", "Push", "ImageSummary",
                "RecordImage"), ImagePipeline.STEPS.stream().map(s -> s.getClass().getSimpleName()).toList());
    }

    @Test
    void skipsFollowTheOptions() {
        var plain = new ImageBuilder.Options(null, ImageBuilder.OCI_ARCHIVE, null, List.of(), null);
        ImageContext release = context(false, plain);
        List<String> skipped = ImagePipeline.STEPS.stream().map(s -> s.skipReason(release)).toList();
        assertEquals(java.util.Arrays.asList("build outputs given", null, null, null, "no --rootfs", "no --push", null,
                "a release records it in its manifest"), skipped);
        ImageContext image = context(true, new ImageBuilder.Options(null, ImageBuilder.OCI, null, List.of(), Path.of("/tmp/r")));
        assertEquals(java.util.Arrays.asList(null, null, null, null, null, "no --push", null, null),
                ImagePipeline.STEPS.stream().map(s -> s.skipReason(image)).toList());
    }
}
