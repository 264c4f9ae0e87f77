package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, the cold build: jlink runs with the client compiler alone ({@link Jlink#TOOL_JVM_OPTIONS}),
 * which changes how much CPU jlink's own JVM spends, not the runtime it writes: {@code lib/modules}
 * is the same, byte for byte, as jlink's with its default JVM (so the options are rightly no part
 * of the runtime cache's key).
 */
class JlinkToolOptionsTest {
    @Test
    void jlinkWithItsToolOptionsWritesTheSameModulesImage(@TempDir Path tmp) throws Exception {
        Jdk jdk = JlinkModulesTest.JDK;
        assertTrue(jdk.hasJmods() || jdk.feature() >= 24, "the JDK running the tests can link: " + jdk.home());
        List<String> modules = List.of("java.base", "java.logging");
        List<String> options = List.of("--strip-debug", "--no-header-files", "--no-man-pages");
        Path slipways = tmp.resolve("slipways");
        Jlink.link(jdk, jdk, Platform.host(), modules, options, slipways,
                new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false));

        List<String> cmd = new ArrayList<>(List.of(jdk.tool("jlink").toString()));
        if (jdk.hasJmods()) {
            cmd.addAll(List.of("--module-path", jdk.home().resolve("jmods").toString()));
        }
        cmd.addAll(List.of("--add-modules", String.join(",", modules)));
        cmd.addAll(options);
        cmd.addAll(List.of("--output", tmp.resolve("default").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);

        assertArrayEquals(Files.readAllBytes(tmp.resolve("default/lib/modules")), Files.readAllBytes(slipways.resolve("lib/modules")),
                "lib/modules with " + Jlink.TOOL_JVM_OPTIONS + " and without");
    }
}
