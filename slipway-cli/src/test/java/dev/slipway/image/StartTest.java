package dev.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.build.NativeHelpers;
import dev.slipway.build.Platform;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entrypoint, {@code slipway-start} ({@code start.c}), as Slipway carries it for this
 * machine's platform, run on the host: it expands {@code ${PORT}} and {@code ${ADDR}} from its
 * environment in the variables it names, in the arguments of its {@code -a} file and in its own,
 * keeps every other text as written, and refuses a reference to an unset variable and bad usage.
 * The program it executes here is {@code /bin/sh -c SCRIPT}, which prints what it was given.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartTest {
    /** Prints each argument after $0 in brackets, then the named variables. */
    static final String SHOW = "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done; printf 'URL=%s\\nSAID=%s\\nOTHER=%s\\n'"
            + " \"$URL\" \"$SAID\" \"$OTHER\"";

    Path start;
    Path dir;

    @BeforeAll
    void unpack(@TempDir Path tmp) throws Exception {
        Tools.requireThat(NativeHelpers.PLATFORMS.contains(Platform.host()), "a linux-amd64 or linux-arm64 host");
        dir = tmp;
        start = tmp.resolve("slipway-start");
        Files.write(start, NativeHelpers.prebuilt(NativeHelpers.START, Platform.host()).orElseThrow());
        assertTrue(start.toFile().setExecutable(true));
    }

    record Run(int code, String out, String err) {}

    Run run(Map<String, String> env, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(start.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "slipway-start ended");
        t.join(5000);
        return new Run(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void expandsTheNamedVariablesTheFilesArgumentsAndItsOwnKeepingEverythingElse() throws Exception {
        Path file = dir.resolve("java.argv");
        Files.write(file, ("-c\0" + SHOW + "\0sh\0a b\0-Dp=${PORT}\0$X ${ADDRX} ${ADDR} 'q' \"d\"\0")
                .getBytes(StandardCharsets.UTF_8));
        Run r = run(Map.of("PORT", "9123", "ADDR", "10.0.0.7", "URL", "http://${ADDR}:${PORT}/",
                        "SAID", "it's ${PORT}", "OTHER", "${PORT} $PORT"),
                List.of("-e", "URL", "-e", "SAID", "-e", "UNSET", "-a", file.toString(), "--", "/bin/sh",
                        "--port=${PORT}", "${HOME} $"));
        assertEquals(0, r.code(), r.toString());
        assertEquals("""
                [a b]
                [-Dp=9123]
                [$X ${ADDRX} 10.0.0.7 'q' "d"]
                [--port=9123]
                [${HOME} $]
                URL=http://10.0.0.7:9123/
                SAID=it's 9123
                OTHER=${PORT} $PORT
                """, r.out(), "the file's arguments come right after the program, then its own; OTHER is not named");
    }

    @Test
    void refusesAReferenceToAnUnsetVariableAndBadUsage() throws Exception {
        Run unset = run(Map.of("ADDR", "0.0.0.0"), List.of("--", "/bin/echo", "--port=${PORT}"));
        assertEquals(1, unset.code(), unset.toString());
        assertEquals("slipway-start: ${PORT} in '--port=${PORT}' but PORT is not set\n", unset.err());
        Run relative = run(Map.of(), List.of("--", "echo", "hi"));
        assertEquals(2, relative.code(), "PROGRAM is an absolute path: " + relative);
        Run noProgram = run(Map.of(), List.of("-e", "URL"));
        assertEquals(2, noProgram.code(), noProgram.toString());
        assertTrue(noProgram.err().startsWith("usage: slipway-start [-e NAME]... [-a FILE] -- PROGRAM"), noProgram.err());
        Run missing = run(Map.of(), List.of("-a", dir.resolve("none").toString(), "--", "/bin/true"));
        assertEquals(1, missing.code(), missing.toString());
        assertTrue(missing.err().contains("No such file or directory"), missing.err());
    }
}
