package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
    private static final Launcher.Spec SPEC = new Launcher.Spec("myapp", "1.0.0", new Platform("linux", "amd64"),
            "example.Main", List.of("app/build-info.jar", "app/my app.jar"), List.of("-Xmx64m", "-Dgreeting=it's",
            "-XX:SharedArchiveFile=" + Launcher.HOME + "/app/app.jsa",
            Launcher.whenPresent("app/first run.jsa", "-XX:SharedArchiveFile=" + Launcher.HOME + "/app/first run.jsa")),
            java.time.Instant.EPOCH);

    @Test
    void printfEscapeRoundTripsEveryByteThroughPosixSh(@TempDir Path dir) throws Exception {
        byte[] all = new byte[512];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i < 256 ? i : (i * 7) % 256);
        }
        // An escape followed by a digit must not swallow it.
        byte[] tricky = {0, '1', 0, '7', '8', '%', 's', '\\', 'n', '\'', 10, '0'};
        for (byte[] data : List.of(all, tricky)) {
            Path script = dir.resolve("p.sh");
            Files.writeString(script, "printf '" + Launcher.printfEscape(data) + "'\n");
            Process p = new ProcessBuilder("/bin/sh", script.toString()).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            assertEquals(0, p.waitFor());
            assertArrayEquals(data, out.toByteArray());
        }
    }

    @Test
    void stubKeepsItsLengthWhenTheOffsetIsFilledIn() {
        byte[] unpacker = {0x7f, 'E', 'L', 'F', 0, 1, 2};
        String a = Launcher.stub(SPEC, "myapp-0123456789abcdef", unpacker, 0);
        String b = Launcher.stub(SPEC, "myapp-0123456789abcdef", unpacker, 123456789);
        assertEquals(a.getBytes(StandardCharsets.UTF_8).length, b.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(b.contains("slipway_offset='   123456789'"), b);
        assertTrue(b.contains("'/lib64/ld-linux-x86-64.so.2'"), b);
        assertTrue(b.contains("exec \"$slipway_home/runtime/bin/java\" '-Xmx64m' '-Dgreeting=it'\\''s'"
                + " \"-XX:SharedArchiveFile=$slipway_home/app/app.jsa\" ${slipway_opt1:+\"$slipway_opt1\"} ${JAVA_OPTS:-}"
                + " -cp \"$slipway_home/app/build-info.jar:$slipway_home/app/my app.jar\" 'example.Main' \"$@\""), b);
        assertTrue(b.contains("  if [ -f \"$slipway_home/app/first run.jsa\" ]; then"
                + " slipway_opt1=\"-XX:SharedArchiveFile=$slipway_home/app/first run.jsa\"; else slipway_opt1=; fi\n"), b);
    }

    @Test
    void stubAndBinScriptPassShellcheck(@TempDir Path dir) throws Exception {
        Tools.require("shellcheck");
        Path stub = dir.resolve("stub.sh");
        Files.writeString(stub, Launcher.stub(SPEC, "myapp-0123456789abcdef", new byte[] {1, 2, 3, '%', '\''}, 4242));
        Path bin = dir.resolve("bin.sh");
        Files.writeString(bin, Launcher.binScript(SPEC));
        for (Path script : List.of(stub, bin)) {
            Process p = new ProcessBuilder("shellcheck", "--shell=sh", "--severity=style", script.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), script.getFileName() + ":\n" + out);
        }
    }
}
