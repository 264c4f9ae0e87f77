package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, the cold build: the runtime's compressed parts are written on a thread of their own
 * from the moment the runtime is linked ({@link RuntimeParts}), beside the layout, the training and
 * the dump. Their bytes are those the single file and the archive took when {@link Pack} wrote
 * them itself; a different set of files left out than expected writes the right parts anyway; a
 * build that stops ({@link RuntimeParts#close}) stops the thread and leaves no half-written part in
 * the runtime cache; a part that cannot be written fails with its cause.
 */
class RuntimePartsTest {
    private static final java.time.Instant TIME = BuildInfo.FILE_TIME;

    /** A small runtime-like tree: two files, one of them the default CDS archive. */
    private static Path runtimeTree(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("lib/server"));
        Files.writeString(dir.resolve("bin/java"), "#!/bin/sh\necho not really java\n");
        Files.writeString(dir.resolve("lib/server/classes.jsa"), "an archive\n".repeat(1000));
        Files.writeString(dir.resolve("lib/modules"), "modules\n".repeat(5000));
        return dir;
    }

    private static RuntimeParts start(RuntimeCache cache, RuntimeCache.Runtime runtime, Set<String> leaveOut, Path scratch) {
        return new RuntimeParts(cache, runtime, leaveOut, Compression.BUILD, "tiny_1.0.0_linux_amd64", scratch,
                "test runtime parts");
    }

    @Test
    void thePartsWrittenBesideTheOtherStepsAreTheBytesPackWroteItself(@TempDir Path tmp) throws Exception {
        Path dir = runtimeTree(tmp.resolve("runtime-linked"));
        Path scratch = Files.createDirectories(tmp.resolve("work"));
        RuntimeCache cache = new RuntimeCache(tmp.resolve("cache"));
        RuntimeCache.Runtime runtime = new RuntimeCache.Runtime(dir, "0123abcd", false);
        Path member;
        Path tarMember;
        try (RuntimeParts parts = start(cache, runtime, Pack.DEFAULT_CDS, scratch)) {
            member = parts.member(Pack.DEFAULT_CDS);
            tarMember = parts.tarMember(Pack.DEFAULT_CDS);
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        Launcher.writeRuntimeMember(dir, Pack.DEFAULT_CDS, Compression.BUILD, frame);
        assertArrayEquals(frame.toByteArray(), Files.readAllBytes(member));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        Archive.writeRuntimeMember(dir, "tiny_1.0.0_linux_amd64", TIME, Pack.DEFAULT_CDS, gz);
        assertArrayEquals(gz.toByteArray(), Files.readAllBytes(tarMember));
    }

    @Test
    void anotherSetLeftOutThanExpectedWritesTheRightParts(@TempDir Path tmp) throws Exception {
        Path dir = runtimeTree(tmp.resolve("runtime-linked"));
        Path scratch = Files.createDirectories(tmp.resolve("work"));
        RuntimeCache.Runtime runtime = new RuntimeCache.Runtime(dir, "0123abcd", false);
        // Expected: the default CDS archive left out; Pack leaves out nothing (the JDK 17 dump failed).
        Path member;
        Path tarMember;
        try (RuntimeParts parts = start(new RuntimeCache(tmp.resolve("cache")), runtime, Pack.DEFAULT_CDS, scratch)) {
            member = parts.member(Set.of());
            tarMember = parts.tarMember(Set.of());
            assertNotEquals(member, parts.member(Pack.DEFAULT_CDS), "the expected frame is another file");
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        Launcher.writeRuntimeMember(dir, Set.of(), Compression.BUILD, frame);
        assertArrayEquals(frame.toByteArray(), Files.readAllBytes(member));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        Archive.writeRuntimeMember(dir, "tiny_1.0.0_linux_amd64", TIME, Set.of(), gz);
        assertArrayEquals(gz.toByteArray(), Files.readAllBytes(tarMember));
    }

    @Test
    void aStoppedBuildStopsTheThreadAndLeavesNoHalfWrittenPartInTheCache(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("cache/runtimes"); // RuntimeCache's entries, under its cache directory
        Path dir = runtimeTree(root.resolve("0123abcd"));
        // Random letters of a 16-letter alphabet: zstd finds few matches but cannot pass the data by
        // as incompressible, so the frame takes seconds and the stop comes while it is written.
        byte[] noise = new byte[1 << 20];
        Random random = new Random(21);
        try (var os = Files.newOutputStream(dir.resolve("lib/noise"))) {
            for (int i = 0; i < 32; i++) {
                random.nextBytes(noise);
                for (int j = 0; j < noise.length; j++) {
                    noise[j] = (byte) ('a' + (noise[j] & 15));
                }
                os.write(noise);
            }
        }
        RuntimeCache.Runtime runtime = new RuntimeCache.Runtime(dir, "0123abcd", true);
        RuntimeParts parts = start(new RuntimeCache(tmp.resolve("cache")), runtime, Pack.DEFAULT_CDS,
                Files.createDirectories(tmp.resolve("work")));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(root.resolve("0123abcd.member-" + Compression.BUILD.frameName() + "-"
                + variant() + ".zst.tmp")) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        boolean seen = Files.exists(root.resolve("0123abcd.member-" + Compression.BUILD.frameName() + "-" + variant() + ".zst.tmp"));
        long t0 = System.nanoTime();
        parts.close();
        long closeMs = (System.nanoTime() - t0) / 1_000_000;
        try (Stream<Path> l = Files.list(root)) {
            assertTrue(Files.notExists(root.resolve("0123abcd.member-" + Compression.BUILD.frameName() + "-" + variant() + ".zst")),
                    "stopped while the frame was written: seen " + seen + ", close " + closeMs + " ms, " + l.toList());
        }
        assertFalse(threadAlive("test runtime parts"), "the compressing thread ended with close()");
        try (Stream<Path> left = Files.list(root)) {
            List<String> names = left.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).sorted().toList();
            assertEquals(List.of("0123abcd"), names, "nothing but the runtime stays in the cache");
        }
        SlipwayException e = assertThrows(SlipwayException.class, () -> parts.member(Pack.DEFAULT_CDS));
        assertEquals("build interrupted", e.getMessage());
    }

    @Test
    void aPartThatCannotBeWrittenFailsWithItsCause(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cache/runtimes"));
        // A runtime in the cache whose directory is gone: reading it fails.
        RuntimeCache.Runtime runtime = new RuntimeCache.Runtime(root.resolve("0123abcd"), "0123abcd", true);
        try (RuntimeParts parts = start(new RuntimeCache(tmp.resolve("cache")), runtime, Set.of(), Files.createDirectories(tmp.resolve("w")))) {
            SlipwayException e = assertThrows(SlipwayException.class, () -> parts.member(Set.of()));
            assertTrue(e.getMessage().startsWith("runtime cache " + root + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("0123abcd"), e.getMessage());
        }
        try (Stream<Path> left = Files.list(root)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no half-written part");
        }
    }

    /** The {@code -<hash>} of {@link Pack#DEFAULT_CDS} in a part's name, as RuntimeCache names it. */
    private static String variant() {
        return dev.slipway.util.Hashing.sha256Hex(String.join("\n", new java.util.TreeSet<>(Pack.DEFAULT_CDS)))
                .substring(0, 12);
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
