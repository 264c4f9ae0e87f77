package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21: the runtime's libraries lose their full symbol table and nothing else; a JVM whose
 * libjvm.so went through it still starts.
 */
class NativeSymbolsTest {
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    /** @return the section types of an ELF-64 little-endian file, in header order */
    private static int[] sectionTypes(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shnum = b.getShort(0x3c) & 0xffff;
        int[] types = new int[shnum];
        for (int i = 0; i < shnum; i++) {
            types[i] = b.getInt((int) (shoff + 64L * i + 4));
        }
        return types;
    }

    /** @return the end of the file range the program headers load */
    private static int loadedEnd(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int phentsize = b.getShort(0x36) & 0xffff;
        int phnum = b.getShort(0x38) & 0xffff;
        long end = 0;
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            end = Math.max(end, b.getLong(at + 8) + b.getLong(at + 32));
        }
        return (int) end;
    }

    @Test
    void libjvmLosesItsSymbolTableAndKeepsWhatTheLoaderMaps() throws Exception {
        byte[] in = Files.readAllBytes(JAVA_HOME.resolve("lib/server/libjvm.so"));
        // The JDKs Slipway builds with (Debian's 17, Temurin's 25) ship libjvm.so with a .symtab.
        assertTrue(Arrays.stream(sectionTypes(in)).anyMatch(t -> t == 2), "the test JDK's libjvm.so has no .symtab");
        byte[] out = NativeSymbols.stripped(in);
        assertNotNull(out);
        assertTrue(out.length < in.length - 1_000_000, "only " + (in.length - out.length) + " bytes saved");
        int[] before = sectionTypes(in);
        int[] after = sectionTypes(out);
        assertEquals(before.length - 2, after.length);
        assertTrue(Arrays.stream(after).noneMatch(t -> t == 2), "a .symtab is left");
        assertTrue(Arrays.stream(after).anyMatch(t -> t == 11), "the .dynsym is gone");
        // Past the ELF header (whose section header offset, count and name index change), every
        // byte the loader maps is the same.
        int end = loadedEnd(in);
        assertArrayEquals(Arrays.copyOfRange(in, 0x40, end), Arrays.copyOfRange(out, 0x40, end), "a loaded byte changed");
        assertArrayEquals(Arrays.copyOf(in, 0x28), Arrays.copyOf(out, 0x28), "the ELF header's start changed");
        assertNull(NativeSymbols.stripped(out), "stripping twice changed the file again");
        assertNull(NativeSymbols.stripped("#!/bin/sh\necho not ELF\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aJvmWithTheStrippedLibjvmStarts(@TempDir Path tmp) throws Exception {
        // A JDK whose lib/server is a real directory with a stripped copy of libjvm.so and whose
        // other parts link to the test JDK's; bin/java is copied, since the launcher finds its
        // home from its own resolved path.
        Path home = tmp.resolve("jdk");
        Files.createDirectories(home.resolve("bin"));
        Files.copy(JAVA_HOME.resolve("bin/java"), home.resolve("bin/java"));
        try (Stream<Path> s = Files.list(JAVA_HOME)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.equals("bin") && !name.equals("lib") && Files.exists(p)) {
                    Files.createSymbolicLink(home.resolve(p.getFileName()), p.toRealPath());
                }
            }
        }
        Files.createDirectories(home.resolve("lib/server"));
        try (Stream<Path> s = Files.list(JAVA_HOME.resolve("lib"))) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals("server") && Files.exists(p)) {
                    Files.createSymbolicLink(home.resolve("lib").resolve(p.getFileName()), p.toRealPath());
                }
            }
        }
        try (Stream<Path> s = Files.list(JAVA_HOME.resolve("lib/server"))) {
            for (Path p : s.toList()) {
                Files.copy(p.toRealPath(), home.resolve("lib/server").resolve(p.getFileName()));
            }
        }
        long saved = NativeSymbols.stripRuntime(home);
        assertTrue(saved > 1_000_000, "only " + saved + " bytes saved");
        Process p = new ProcessBuilder(home.resolve("bin/java").toString(), "-Xshare:auto", "-version")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "java -version ran over 120 s");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("VM"), output);
    }
}
