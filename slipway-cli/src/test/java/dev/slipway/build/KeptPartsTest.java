package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dependency jars' and the startup archive's frames and members kept by content
 * ({@link KeptParts}): the same bytes whether kept or written, and written again when a jar or the
 * archive changes; and the application jars' type use
 * ({@link TypeUse}), which keys jdeps' result: a changed string keeps it, a new JDK type does not.
 */
class KeptPartsTest {
    private static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");

    /** {@link ArchiveTest#layout} with a dependency jar of 200 KB that does not compress to nothing. */
    private static Path layout(Path dir) throws Exception {
        Path layout = ArchiveTest.layout(dir);
        byte[] dep = new byte[200_000];
        new java.util.Random(1).nextBytes(dep);
        Files.write(layout.resolve("app/lib/dep.jar"), dep);
        return layout;
    }

    /** The payload; asserts that its digest is the one of the frames written afresh. */
    private static byte[] payload(Path layout, Path runtime, KeptParts parts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String digest = Launcher.writePayload(layout, TIME, runtime, parts, Compression.BUILD, out);
        ByteArrayOutputStream fresh = new ByteArrayOutputStream();
        assertEquals(Launcher.writePayload(layout, TIME, runtime, KeptParts.NONE, Compression.BUILD, fresh), digest,
                "the digest of a payload with kept parts is that of one written afresh");
        assertArrayEquals(fresh.toByteArray(), out.toByteArray());
        return out.toByteArray();
    }

    private static byte[] tarGz(Path layout, Path member, KeptParts parts, Path dir) throws Exception {
        Path out = dir.resolve("a.tar.gz");
        String sha = Archive.writeTarGz(layout, "app_1", TIME, member, parts, out);
        assertEquals(dev.slipway.util.Hashing.sha256(out), sha, "the sha256 hashed while writing is the file's");
        return Files.readAllBytes(out);
    }

    private static Path runtimeFrame(Path layout, Path dir) throws Exception {
        Path runtime = dir.resolve("runtime.zst");
        try (OutputStream os = Files.newOutputStream(runtime)) {
            Launcher.writeRuntimeMember(layout.resolve("runtime"), os);
        }
        return runtime;
    }

    private static Path runtimeMember(Path layout, Path dir) throws Exception {
        Path member = dir.resolve("runtime.gz");
        try (OutputStream os = Files.newOutputStream(member)) {
            Archive.writeRuntimeMember(layout.resolve("runtime"), "app_1", TIME, os);
        }
        return member;
    }

    /**
     * Asserts that the payload and archive written with {@code parts} twice (kept, then copied) are
     * the ones written without; returns the payload.
     */
    private static byte[] writtenAndKept(Path layout, Path runtime, Path member, KeptParts parts, Path dir)
            throws Exception {
        byte[] written = payload(layout, runtime, KeptParts.NONE);
        byte[] archive = tarGz(layout, member, KeptParts.NONE, dir);
        assertArrayEquals(written, payload(layout, runtime, parts), "the parts written and kept");
        assertArrayEquals(written, payload(layout, runtime, parts), "the parts copied from the cache");
        assertArrayEquals(archive, tarGz(layout, member, parts, dir), "the members written and kept");
        assertArrayEquals(archive, tarGz(layout, member, parts, dir), "the members copied from the cache");
        return written;
    }

    /** The kept parts; asserts that every digest kept beside one (KeptDigests) is its size and sha256. */
    private static List<String> kept(Path parts) throws Exception {
        try (var s = Files.list(parts)) {
            List<Path> all = s.sorted().toList();
            for (Path p : all) {
                String name = p.getFileName().toString();
                if (name.endsWith(KeptDigests.SUFFIX)) {
                    Path part = p.resolveSibling(name.substring(0, name.length() - KeptDigests.SUFFIX.length()));
                    assertEquals(Files.size(part) + " " + dev.slipway.util.Hashing.sha256(part), Files.readString(p).trim(),
                            "the digest kept beside " + part.getFileName());
                }
            }
            return all.stream().map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(KeptDigests.SUFFIX)).toList();
        }
    }

    @Test
    void aKeptPartGivesTheBytesOfAWrittenOneAndAChangedJarIsWrittenAgain(@TempDir Path dir) throws Exception {
        Path layout = layout(dir);
        Path runtime = runtimeFrame(layout, dir);
        Path member = runtimeMember(layout, dir);
        Path cache = dir.resolve("parts");
        KeptParts parts = new KeptParts(cache);

        byte[] written = writtenAndKept(layout, runtime, member, parts, dir);
        List<String> first = kept(cache);
        assertEquals(2, first.size(), first.toString());

        // The payload reads as one stream of records, the dependency jar's among them.
        byte[] records = new com.github.luben.zstd.ZstdInputStream(new java.io.ByteArrayInputStream(written)).readAllBytes();
        assertEquals("SLPW", new String(records, 0, 4, StandardCharsets.US_ASCII));
        assertEquals('E', records[records.length - 1]);
        assertTrue(new String(records, StandardCharsets.ISO_8859_1).contains("app/lib/dep.jar"));

        // A kept part that is not what the layout holds is never used: its key names the jars' bytes.
        byte[] other = Files.readAllBytes(layout.resolve("app/lib/dep.jar"));
        other[100_000] ^= 1;
        Files.write(layout.resolve("app/lib/dep.jar"), other);
        byte[] changed = payload(layout, runtime, KeptParts.NONE);
        assertNotEquals(new String(written, StandardCharsets.ISO_8859_1), new String(changed, StandardCharsets.ISO_8859_1));
        assertArrayEquals(changed, payload(layout, runtime, parts));
        assertArrayEquals(tarGz(layout, member, KeptParts.NONE, dir), tarGz(layout, member, parts, dir));
        assertEquals(4, kept(cache).size(), kept(cache).toString());
    }

    @Test
    void theStartupArchiveIsAPartOfItsOwnKeptWhenOnlyTheAppJarChanged(@TempDir Path dir) throws Exception {
        Path layout = layout(dir);
        byte[] jsa = new byte[300_000];
        new java.util.Random(2).nextBytes(jsa);
        Files.write(layout.resolve(Training.BUILT_CDS_FILE), jsa);
        Path runtime = runtimeFrame(layout, dir);
        Path member = runtimeMember(layout, dir);
        // The archive sorts before the app's jar, which sorts before app/lib: kept, written, kept, written.
        assertEquals(java.util.Arrays.asList(null, Training.BUILT_CDS_FILE, null, KeptParts.PART, null),
                Launcher.segments(layout).stream().map(Launcher.Segment::part).toList());
        Path cache = dir.resolve("parts");
        KeptParts parts = new KeptParts(cache);
        byte[] written = writtenAndKept(layout, runtime, member, parts, dir);
        List<String> first = kept(cache);
        assertEquals(4, first.size(), "the jars and the archive, a frame and a member each: " + first);

        // The records read as one sorted stream: the archive, then the app's jar, then the dependency.
        String records = new String(new com.github.luben.zstd.ZstdInputStream(new java.io.ByteArrayInputStream(written))
                .readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(records.indexOf(Training.BUILT_CDS_FILE) < records.indexOf("app/app.jar"), "archive before the jar");
        assertTrue(records.indexOf("app/app.jar") < records.indexOf("app/lib/dep.jar"), "the jar before the dependency");
        List<String> tarNames = new ArrayList<>();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(tarGz(layout, member, parts, dir))))) {
            for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                tarNames.add(e.getName());
            }
        }
        assertEquals(tarNames.stream().sorted().toList(), tarNames, "one sorted stream of entries");
        assertTrue(tarNames.contains("app_1/" + Training.BUILT_CDS_FILE), tarNames.toString());

        // A new app jar: both parts kept, only the rest written.
        Files.writeString(layout.resolve("app/app.jar"), "jar 2");
        assertArrayEquals(payload(layout, runtime, KeptParts.NONE), payload(layout, runtime, parts));
        assertArrayEquals(tarGz(layout, member, KeptParts.NONE, dir), tarGz(layout, member, parts, dir));
        assertEquals(first, kept(cache), "nothing new kept");

        // A new archive (a new training): its parts are written again, the jars' kept.
        jsa[150_000] ^= 1;
        Files.write(layout.resolve(Training.BUILT_CDS_FILE), jsa);
        assertArrayEquals(payload(layout, runtime, KeptParts.NONE), payload(layout, runtime, parts));
        assertArrayEquals(tarGz(layout, member, KeptParts.NONE, dir), tarGz(layout, member, parts, dir));
        assertEquals(6, kept(cache).size(), kept(cache).toString());
    }

    @Test
    void theTypeUseOfAJarKeepsItsDigestWhenOnlyAStringChanged(@TempDir Path dir) throws Exception {
        TestJars jars = new TestJars(dir);
        String body = "package a;\npublic class Main {\n  static final String AT = \"%s\";\n"
                + "  public static void main(String[] x) { System.out.println(AT + x.length); }\n%s}\n";
        Path one = jars.jar("one.jar", jars.compile(17, Map.of("a/Main.java", body.formatted("1", ""))), Map.of());
        Path two = jars.jar("two.jar", jars.compile(17, Map.of("a/Main.java", body.formatted("2", ""))), Map.of());
        Path sql = jars.jar("sql.jar", jars.compile(17, Map.of("a/Main.java",
                body.formatted("1", "  static java.sql.Connection c;\n"))), Map.of());
        assertNotEquals(dev.slipway.util.Hashing.sha256(one), dev.slipway.util.Hashing.sha256(two));
        assertEquals(TypeUse.digest(one), TypeUse.digest(two), "a changed string constant");
        assertTrue(TypeUse.digest(one).isPresent());
        assertNotEquals(TypeUse.digest(one), TypeUse.digest(sql), "a field of a java.sql type");
    }
}
