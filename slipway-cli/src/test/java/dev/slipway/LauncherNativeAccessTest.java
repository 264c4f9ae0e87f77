package dev.slipway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The {@code slipway} launcher on a JDK 24+ (a Java 21 project's users set {@code JAVA_HOME} to one):
 * the CLI loads zstd-jni's library (System::loadLibrary, a restricted method), and without
 * {@code --enable-native-access=ALL-UNNAMED} the JVM printed four "WARNING: A restricted method in
 * java.lang.System has been called" lines on every build (JEP 472).
 */
class LauncherNativeAccessTest {
    /** Loads zstd-jni's native library as a build does. */
    public static final class LoadZstd {
        public static void main(String[] args) {
            System.out.println(com.github.luben.zstd.Zstd.compress(new byte[64]).length > 0 ? "loaded" : "empty");
        }
    }

    /** @return a JDK 24 or newer under /usr/lib/jvm, or null */
    static Path jdk24() throws Exception {
        Pattern v = Pattern.compile("JAVA_VERSION=\"(\\d+)");
        try (Stream<Path> s = Files.isDirectory(Path.of("/usr/lib/jvm")) ? Files.list(Path.of("/usr/lib/jvm")) : Stream.empty()) {
            for (Path home : s.sorted().toList()) {
                Path release = home.resolve("release");
                if (Files.isRegularFile(release) && Files.isExecutable(home.resolve("bin/java"))) {
                    Matcher m = v.matcher(Files.readString(release));
                    if (m.find() && Integer.parseInt(m.group(1)) >= 24) {
                        return home;
                    }
                }
            }
        }
        return null;
    }

    @Test
    void onJdk24TheLaunchersOptionsLoadTheNativeLibraryWithoutWarnings() throws Exception {
        Path home = jdk24();
        if (home == null) {
            assertFalse("true".equals(System.getenv("CI")), "CI=true: no JDK 24+ under /usr/lib/jvm");
            assumeTrue(false, "no JDK 24+ under /usr/lib/jvm");
        }
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/java").toString()));
        cmd.addAll(LauncherJvm.options());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadZstd.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("loaded", out.strip(), "no JVM warning beside the program's output");
    }
}
