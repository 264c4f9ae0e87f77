package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.pipeline.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The build's step lists read as the build: the order is the contract the steps' fields rely on. */
class BuildPipelineTest {
    private static List<String> names(List<? extends Step<?>> steps) {
        return steps.stream().map(s -> s.getClass().getSimpleName()).toList();
    }

    @Test
    void theBuildRunsTopToBottom() {
        assertEquals(List.of("Toolchain", "VersionFacts", "Compile", "LocateJars", "Modules", "PlatformBuilds",
                "RecordArtifacts", "Summary"), names(BuildPipeline.STEPS));
        assertEquals(List.of("LinkRuntime", "Layout", "TrainStartup", "LauncherScript", "Pack"),
                names(BuildPipeline.PLATFORM_STEPS));
    }
}
