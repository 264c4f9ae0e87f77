package dev.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.build.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ELF reader against binutils' readelf on real system files, and library lookup inside a root
 * with symbolic links (absolute, relative, escaping with {@code ..}).
 */
class ElfTest {
    private static final Pattern NEEDED = Pattern.compile("\\(NEEDED\\)\\s+Shared library: \\[([^]]+)]");
    private static final Pattern INTERP = Pattern.compile("Requesting program interpreter: ([^]]+)]");

    @Test
    void neededAndInterpreterMatchReadelf() throws Exception {
        Tools.require("readelf");
        Path java = Path.of(System.getProperty("java.home"), "bin/java").toRealPath();
        Path libjvm = Path.of(System.getProperty("java.home"), "lib/server/libjvm.so").toRealPath();
        for (Path file : List.of(java, libjvm, Path.of("/bin/ls").toRealPath())) {
            String readelf = run("readelf", "-d", "-l", "-W", file.toString());
            List<String> expected = new ArrayList<>();
            Matcher m = NEEDED.matcher(readelf);
            while (m.find()) {
                expected.add(m.group(1));
            }
            Matcher i = INTERP.matcher(readelf);
            Elf elf = Elf.read(file);
            assertFalse(expected.isEmpty(), "readelf lists DT_NEEDED of " + file);
            assertEquals(expected, elf.needed(), file.toString());
            if (i.find()) {
                assertEquals(i.group(1), elf.interpreter(), file.toString());
            } else {
                assertNull(elf.interpreter(), file.toString());
            }
            assertEquals(Platform.host().arch().equals("amd64") ? 62 : 183, elf.machine());
        }
    }

    @Test
    void rejectsWhatIsNotElf(@TempDir Path tmp) throws Exception {
        Path text = Files.writeString(tmp.resolve("a.so"), "#!/bin/sh\n");
        assertFalse(Elf.isElf(text));
        assertTrue(Elf.isElf(Path.of("/bin/ls").toRealPath()));
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Elf.read(text));
    }

    @Test
    void resolvesInsideARootNeverOutside(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("usr/lib/x86_64-linux-gnu"));
        Files.writeString(root.resolve("usr/lib/x86_64-linux-gnu/libz.so.1.2.13"), "z");
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        Files.createSymbolicLink(root.resolve("usr/lib/x86_64-linux-gnu/libz.so.1"), Path.of("libz.so.1.2.13"));
        Files.createDirectories(root.resolve("lib64"));
        Files.createSymbolicLink(root.resolve("lib64/abs.so"), Path.of("/lib/x86_64-linux-gnu/libz.so.1"));
        Files.createSymbolicLink(root.resolve("lib64/escape.so"), Path.of("../../../../../etc/hostname"));
        Path real = root.resolve("usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
        assertEquals(real, SharedLibraries.resolveInRoot(root, "/lib/x86_64-linux-gnu/libz.so.1"));
        assertEquals(real, SharedLibraries.resolveInRoot(root, "/lib64/abs.so"), "absolute links restart at the root");
        assertNull(SharedLibraries.resolveInRoot(root, "/lib64/escape.so"), "'..' stops at the root: no etc/hostname in it");
        assertNull(SharedLibraries.resolveInRoot(root, "/lib/missing.so.1"));
    }

    @Test
    void hostRuntimeLibrariesAreComputedNotListed() throws Exception {
        Path home = Path.of(System.getProperty("java.home"));
        List<SharedLibraries.Library> libs = SharedLibraries.of(home, Path.of("/"), Platform.host());
        List<String> names = libs.stream().map(l -> Path.of(l.path()).getFileName().toString()).toList();
        assertTrue(names.contains("libc.so.6"), names.toString());
        String interp = Elf.read(home.resolve("bin/java")).interpreter();
        assertTrue(libs.stream().anyMatch(l -> ("/" + l.path()).equals(interp)),
                "the program interpreter sits at its PT_INTERP path: " + libs);
        assertFalse(names.contains("libjvm.so"), "the runtime's own libraries are not copied: " + names);
        for (SharedLibraries.Library l : libs) {
            assertTrue(Files.isRegularFile(l.source()) && !Files.isSymbolicLink(l.source()), l.toString());
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        return out;
    }
}
