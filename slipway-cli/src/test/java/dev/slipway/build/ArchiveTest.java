package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.slipway.Tools;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's .tar.gz: gzip members (the app's files, the dependency jars kept by {@link KeptParts}, the rest,
 * then the runtime kept by the runtime cache) that read as one sorted tar.
 */
class ArchiveTest {
    private static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");

    /** A small layout: runtime/ (a link, a cache file), app/app.jar, app/lib/dep.jar, bin/app. */
    static Path layout(Path dir) throws Exception {
        Path layout = dir.resolve("layout");
        Files.createDirectories(layout.resolve("runtime/bin"));
        Files.createDirectories(layout.resolve("runtime/lib"));
        Files.createDirectories(layout.resolve("app/lib"));
        Files.createDirectories(layout.resolve("bin"));
        Files.writeString(layout.resolve("runtime/bin/java"), "#!/bin/sh\necho java\n");
        Files.setPosixFilePermissions(layout.resolve("runtime/bin/java"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.write(layout.resolve("runtime/lib/modules"), new byte[70_000]);
        Files.createSymbolicLink(layout.resolve("runtime/lib/link"), Path.of("modules"));
        Files.writeString(layout.resolve("runtime/.slipway-last-used"), "");
        Files.writeString(layout.resolve("app/app.jar"), "jar");
        Files.writeString(layout.resolve("app/lib/dep.jar"), "dep");
        Files.writeString(layout.resolve("bin/app"), "#!/bin/sh\n");
        return layout;
    }

    private static List<String> names(Path tarGz, boolean concatenated) throws Exception {
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tarGz);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in, concatenated))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        return names;
    }

    @Test
    void theRuntimeMemberFromTheCacheGivesTheSameBytesAsOneWholeArchive(@TempDir Path dir) throws Exception {
        Path layout = layout(dir);
        Path whole = dir.resolve("whole.tar.gz");
        Archive.writeTarGz(layout, "app_1_linux_amd64", TIME, whole);

        Path member = dir.resolve("runtime.gz");
        try (OutputStream os = Files.newOutputStream(member)) {
            Archive.writeRuntimeMember(layout.resolve("runtime"), "app_1_linux_amd64", TIME, os);
        }
        Path reused = dir.resolve("reused.tar.gz");
        Archive.writeTarGz(layout, "app_1_linux_amd64", TIME, member, reused);
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(reused));

        List<String> all = names(whole, true);
        assertEquals(List.of("app_1_linux_amd64/", "app_1_linux_amd64/app/", "app_1_linux_amd64/app/app.jar",
                "app_1_linux_amd64/app/lib/", "app_1_linux_amd64/app/lib/dep.jar", "app_1_linux_amd64/bin/",
                "app_1_linux_amd64/bin/app", "app_1_linux_amd64/runtime/", "app_1_linux_amd64/runtime/bin/",
                "app_1_linux_amd64/runtime/bin/java", "app_1_linux_amd64/runtime/lib/",
                "app_1_linux_amd64/runtime/lib/link", "app_1_linux_amd64/runtime/lib/modules"), all,
                "one sorted stream, without the cache's .slipway files");
        assertEquals(all.subList(0, 3), names(whole, false), "the first gzip member ends before app/lib/ (KeptParts)");
    }

    @Test
    void gnuTarExtractsBothMembers(@TempDir Path dir) throws Exception {
        Tools.require("tar");
        Path layout = layout(dir);
        Path archive = dir.resolve("a.tar.gz");
        Archive.writeTarGz(layout, "top", TIME, archive);
        Path out = Files.createDirectories(dir.resolve("out"));
        Process p = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        assertEquals("", log, "no warning (lone zero blocks, trailing garbage)");
        assertEquals("#!/bin/sh\necho java\n", Files.readString(out.resolve("top/runtime/bin/java")));
        assertEquals(70_000, Files.size(out.resolve("top/runtime/lib/modules")));
        assertEquals(Path.of("modules"), Files.readSymbolicLink(out.resolve("top/runtime/lib/link")));
        assertEquals("dep", Files.readString(out.resolve("top/app/lib/dep.jar")));
        assertFalse(Files.exists(out.resolve("top/runtime/.slipway-last-used")));
        assertEquals(Files.getLastModifiedTime(out.resolve("top/runtime/lib/modules")).toInstant(), TIME);
    }
}
