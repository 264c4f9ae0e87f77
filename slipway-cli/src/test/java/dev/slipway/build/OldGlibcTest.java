package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single file needs no JDK on the host, and no newer glibc than its runtime needs: Temurin's
 * runtimes run on glibc 2.17, so the unpacker, built on Debian 12 (glibc 2.36), must not ask for
 * more ({@link NativeHelpers#GLIBC_FLOOR}; before, it asked for 2.34 and every host older than
 * Debian 12 or Ubuntu 22.04 refused it: "version `GLIBC_2.34' not found").
 */
class OldGlibcTest {
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final Path OLD_ROOT = Path.of(System.getenv().getOrDefault("SLIPWAY_OLDROOT",
            "/var/cache/slipway-testbed/bullseye"));

    /**
     * Every symbol version the prebuilt unpacker asks glibc for (the version needs that
     * {@code readelf -V} lists, as ld.so(8) checks them) is at most the floor, on both platforms.
     */
    @Test
    void theUnpackerAsksForNoGlibcVersionNewerThanTheFloor(@TempDir Path dir) throws Exception {
        Tools.require("readelf");
        for (Platform p : NativeHelpers.PLATFORMS) {
            Path bin = dir.resolve(p + "-unpack");
            Files.write(bin, NativeHelpers.prebuilt(NativeHelpers.UNPACK, p).orElseThrow());
            Process r = new ProcessBuilder("readelf", "-V", "--wide", bin.toString()).redirectErrorStream(true).start();
            String out = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, r.waitFor(), out);
            int needs = out.indexOf("Version needs section");
            assertTrue(needs >= 0, "a dynamically linked unpacker has version needs:\n" + out);
            Matcher m = Pattern.compile("Name: GLIBC_(\\d+)\\.(\\d+)").matcher(out.substring(needs));
            List<String> versions = new ArrayList<>();
            while (m.find()) {
                versions.add(m.group(1) + "." + m.group(2));
                assertTrue(olderOrSame(m.group(1) + "." + m.group(2), NativeHelpers.GLIBC_FLOOR),
                        p + " unpacker needs GLIBC_" + m.group(1) + "." + m.group(2) + ", over the floor "
                                + NativeHelpers.GLIBC_FLOOR + ":\n" + out);
            }
            assertTrue(!versions.isEmpty(), p + ": no GLIBC version needs read from\n" + out);
        }
    }

    /**
     * A single file whose runtime is linked from Temurin 25 runs in a Debian 11 root (glibc 2.31,
     * as Ubuntu 20.04; no JDK there): the stub writes the unpacker, which unpacks and starts java
     * with the app's arguments. The root comes from testbed/oldroot.sh and is not changed: the run
     * has its own /tmp (tmpfs) and /proc in a mount namespace.
     */
    @Test
    void aSingleFileWithATemurinRuntimeRunsOnAnOlderGlibc(@TempDir Path dir) throws Exception {
        Tools.requireThat(Tools.root(), "the chroot needs root");
        Tools.require("unshare");
        Tools.requireThat(Files.isExecutable(TEMURIN_25.resolve("bin/jlink")), "Temurin 25 at " + TEMURIN_25);
        Tools.requireThat(Files.isRegularFile(OLD_ROOT.resolve(".slipway-oldroot-1")),
                "a Debian 11 root at " + OLD_ROOT + " (testbed/oldroot.sh; .ci/run makes it)");
        Path libc = OLD_ROOT.resolve("lib/x86_64-linux-gnu/libc-2.31.so");
        assertTrue(Files.isRegularFile(libc), "the old root's glibc is 2.31: " + libc);
        assertTrue(Files.notExists(OLD_ROOT.resolve("usr/lib/jvm")), "no JDK in the old root");

        Path layout = dir.resolve("layout");
        Process link = new ProcessBuilder(TEMURIN_25.resolve("bin/jlink").toString(), "--add-modules", "java.base",
                "--strip-debug", "--no-header-files", "--no-man-pages", "--output", layout.resolve("runtime").toString())
                .redirectErrorStream(true).start();
        String linked = new String(link.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, link.waitFor(), "jlink:\n" + linked);
        Path src = dir.resolve("Hello.java");
        Files.writeString(src, """
                public class Hello {
                    public static void main(String[] args) {
                        System.out.println("java " + Runtime.version().feature() + " " + String.join(",", args));
                    }
                }
                """);
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17",
                "-d", layout.resolve("app/classes").toString(), src.toString()), "javac Hello.java");
        Path member = dir.resolve("runtime.zst");
        try (java.io.OutputStream os = Files.newOutputStream(member)) {
            Launcher.writeRuntimeMember(layout.resolve("runtime"), java.util.Set.of(), Compression.BUILD, os);
        }
        Path exe = dir.resolve("dist/hello");
        Files.createDirectories(exe.getParent());
        Launcher.Spec spec = new Launcher.Spec("hello", "1.0.0", new Platform("linux", "amd64"), "Hello",
                List.of("app/classes"), List.of(), List.of("baked"), 8080, java.time.Instant.parse("2026-01-01T00:00:00Z"));
        Launcher.writeSingleFile(spec, layout, Unpacker.forPlatform(spec.platform(), dir.resolve("slipway-cache")),
                member, KeptParts.NONE, Compression.BUILD, exe);

        // Twice: the first run unpacks, the second starts from the unpacked tree.
        String script = "mount -t tmpfs tmpfs \"$0/tmp\" && cp \"$1\" \"$0/tmp/hello\" && mount -t proc proc \"$0/proc\""
                + " && exec chroot \"$0\" /usr/bin/env -i HOME=/tmp/home PATH=/usr/bin:/bin"
                + " /bin/sh -c 'mkdir /tmp/home && /tmp/hello first && /tmp/hello second && ls /tmp/home/.cache/slipway/run'";
        Process run = new ProcessBuilder("unshare", "--mount", "--fork", "/bin/sh", "-c", script, OLD_ROOT.toString(),
                exe.toString()).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(120, TimeUnit.SECONDS), "ran over 120 s");
        assertEquals(0, run.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertEquals("java 25 baked,first", lines.get(0), out);
        assertEquals("java 25 baked,second", lines.get(1), out);
        assertTrue(lines.get(2).startsWith("hello-"), "unpacked into the user's cache:\n" + out);
        assertTrue(Files.notExists(OLD_ROOT.resolve("tmp/hello")), "the old root is left as it was");
    }

    /** @return whether glibc version {@code a} ("2.14") is at most {@code b} ("2.17") */
    static boolean olderOrSame(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        int major = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        return major != 0 ? major < 0 : Integer.parseInt(x[1]) <= Integer.parseInt(y[1]);
    }
}
