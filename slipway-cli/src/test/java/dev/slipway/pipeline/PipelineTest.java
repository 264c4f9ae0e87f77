package dev.slipway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared step runner: order, skips, announcements, failures. */
class PipelineTest {
    private final StringWriter err = new StringWriter();
    private final List<String> ran = new ArrayList<>();

    private Context context() {
        PrintWriter out = new PrintWriter(new StringWriter());
        return new Context(ConfigLoader.parse(Path.of("svc/slipway.yaml"), "name: svc\n"),
                new Console(out, new PrintWriter(err, true), false), System::getenv) { };
    }

    private Step<Context> step(String name, String skip, Exception failure) {
        return new Step<>() {
            @Override
            public String describe(Context c) {
                return name;
            }

            @Override
            public String skipReason(Context c) {
                return skip;
            }

            @Override
            public void run(Context c) throws Exception {
                ran.add(name);
                if (failure != null) {
                    throw failure;
                }
            }
        };
    }

    @Test
    void stepsRunInOrderAndASkippedOneSaysWhy() {
        new Pipeline<>("release", List.of(step("a", null, null), step("b", "none configured", null), step("c", null, null)),
                true).run(context());
        assertEquals(List.of("a", "c"), ran);
        assertEquals("• a\n• b: skipped (none configured)\n• c\n", err.toString());
    }

    @Test
    void aQuietPipelinePrintsNothingOfItsOwnAndNamesItselfInAFailure() {
        Pipeline<Context> p = new Pipeline<>("build", List.of(step("a", null, new IOException("disk full")),
                step("b", null, null)), false);
        SlipwayException e = assertThrows(SlipwayException.class, () -> p.run(context()));
        assertEquals("build failed: disk full", e.getMessage());
        assertEquals(1, e.exitCode());
        assertEquals(List.of("a"), ran, "a failure stops the run");
        assertEquals("", err.toString());
    }

    @Test
    void anAnnouncedStepNamesItselfAndAUsageErrorPassesUnchanged() {
        Pipeline<Context> p = new Pipeline<>("release", List.of(step("checksums (sha256)", null, new IOException("gone"))), true);
        assertEquals("checksums (sha256) failed: gone", assertThrows(SlipwayException.class, () -> p.run(context())).getMessage());
        SlipwayException usage = SlipwayException.usage("bad");
        Pipeline<Context> q = new Pipeline<>("release", List.of(step("x", null, usage)), true);
        assertSame(usage, assertThrows(SlipwayException.class, () -> q.run(context())));
    }
}
