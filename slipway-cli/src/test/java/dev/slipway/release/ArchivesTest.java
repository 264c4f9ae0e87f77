package dev.slipway.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.build.Archive;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Release archives from a small build archive: renamed top directory, extra files, zip, reproducibility. */
class ArchivesTest {
    static final Instant TIME = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path dir;
    Path build;
    List<Archives.Extra> extras;

    @BeforeEach
    void buildArchive() throws Exception {
        Path layout = dir.resolve("layout");
        Files.createDirectories(layout.resolve("bin"));
        Files.createDirectories(layout.resolve("app/lib"));
        Files.writeString(layout.resolve("bin/app"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(layout.resolve("bin/app"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(layout.resolve("app/lib/a.jar"), "jar bytes");
        Files.createSymbolicLink(layout.resolve("app/current.jar"), Path.of("lib/a.jar"));
        build = dir.resolve("app_1.0_linux_amd64.tar.gz");
        Archive.writeTarGz(layout, "app_1.0_linux_amd64", TIME, build);
        Files.createDirectories(dir.resolve("svc/docs"));
        Files.writeString(dir.resolve("svc/README.md"), "read me\n");
        Files.writeString(dir.resolve("svc/docs/app.service"), "[Unit]\n");
        extras = List.of(new Archives.Extra(dir.resolve("svc/docs/app.service"), "docs/app.service"),
                new Archives.Extra(dir.resolve("svc/README.md"), "README.md"));
    }

    @Test
    void tarGzRenamesTheTopDirectoryAndAddsExtrasReproducibly() throws Exception {
        Path a = dir.resolve("out/app-1.0-linux.tar.gz");
        Files.createDirectories(a.getParent());
        Archives.write(build, "app-1.0-linux", "tar.gz", extras, TIME, a);
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(a);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName() + (e.isSymbolicLink() ? " -> " + e.getLinkName() : "")
                        + " " + Integer.toOctalString(e.getMode()));
                assertEquals(TIME.toEpochMilli(), e.getModTime().getTime());
                assertEquals(0, e.getLongUserId());
            }
        }
        assertEquals(List.of("app-1.0-linux/ 40755", "app-1.0-linux/app/ 40755",
                "app-1.0-linux/app/current.jar -> lib/a.jar 120777", "app-1.0-linux/app/lib/ 40755",
                "app-1.0-linux/app/lib/a.jar 100644", "app-1.0-linux/bin/ 40755", "app-1.0-linux/bin/app 100755",
                "app-1.0-linux/README.md 100644", "app-1.0-linux/docs/app.service 100644"), names);
        Path b = dir.resolve("out/again.tar.gz");
        Archives.write(build, "app-1.0-linux", "tar.gz", extras, TIME, b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void zipKeepsModesAndLinksAndIsTheSameInEveryTimeZone() throws Exception {
        Path a = zipInTwoTimeZones("app_1.0_windows_amd64", TIME, "a");
        try (ZipFile zip = ZipFile.builder().setPath(a).get()) {
            ZipArchiveEntry exe = zip.getEntry("app_1.0_windows_amd64/bin/app");
            assertEquals(0100755, exe.getUnixMode());
            ZipArchiveEntry link = zip.getEntry("app_1.0_windows_amd64/app/current.jar");
            assertTrue(link.isUnixSymlink());
            assertEquals("lib/a.jar", new String(zip.getInputStream(link).readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("read me\n", new String(zip.getInputStream(zip.getEntry("app_1.0_windows_amd64/README.md"))
                    .readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * A release's archives carry the build's fixed file time, 1970-01-01T00:00:01Z, which a trained
     * cache recorded of the jars: tar restores it as it is; a zip, whose DOS time starts in 1980,
     * carries it in its extended timestamp, which unzip restores in any time zone, and its bytes
     * are the same in every time zone.
     */
    @Test
    void theFixedFileTimeSurvivesTarAndUnzip() throws Exception {
        Instant fixed = dev.slipway.build.BuildInfo.FILE_TIME;
        dev.slipway.Tools.require("tar");
        dev.slipway.Tools.require("unzip");
        Path tgz = dir.resolve("fixed.tar.gz");
        Archives.write(build, "top", "tar.gz", extras, fixed, tgz);
        Path zip = zipInTwoTimeZones("top", fixed, "fixed");
        for (String[] cmd : List.of(new String[] {"tar", "-xzf", tgz.toString(), "-C"},
                new String[] {"unzip", "-q", zip.toString(), "-d"})) {
            for (String zone : List.of("UTC", "Pacific/Kiritimati")) {
                Path out = Files.createDirectories(dir.resolve("x-" + cmd[0] + "-" + zone.replace('/', '-')));
                List<String> args = new ArrayList<>(List.of(cmd));
                args.add(out.toString());
                ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
                pb.environment().put("TZ", zone);
                Process p = pb.start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.waitFor(), log);
                for (String f : List.of("top/app/lib/a.jar", "top/bin/app", "top/README.md")) {
                    assertEquals(fixed, Files.getLastModifiedTime(out.resolve(f)).toInstant(), cmd[0] + " " + zone + " " + f);
                }
            }
        }
    }

    /**
     * Writes the release zip of {@link #build} with the default time zone UTC, then again with
     * UTC+14, and checks the two are the same bytes.
     *
     * @return the first zip, {@code <name>.zip} in {@link #dir}
     */
    private Path zipInTwoTimeZones(String top, Instant time, String name) throws Exception {
        Path a = dir.resolve(name + ".zip");
        Path b = dir.resolve(name + "-elsewhere.zip");
        TimeZone before = TimeZone.getDefault();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
            Archives.write(build, top, "zip", extras, time, a);
            TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
            Archives.write(build, top, "zip", extras, time, b);
        } finally {
            TimeZone.setDefault(before);
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "the same bytes in every time zone");
        return a;
    }

    /** Issue 20, security 2 (GoReleaser #2430/#3584): a link among the extra files stays a link. */
    @Test
    void anExtraFileThatIsASymbolicLinkIsStoredAsALink() throws Exception {
        Files.writeString(dir.resolve("svc/docs/guide.md"), "guide\n");
        Files.createSymbolicLink(dir.resolve("svc/docs-link.md"), Path.of("docs/guide.md"));
        Files.createSymbolicLink(dir.resolve("svc/docs/abs-link.md"), dir.resolve("svc/docs/guide.md"));
        List<Archives.Extra> withLinks = List.of(new Archives.Extra(dir.resolve("svc/docs/guide.md"), "docs/guide.md"),
                new Archives.Extra(dir.resolve("svc/docs-link.md"), "docs-link.md"),
                new Archives.Extra(dir.resolve("svc/docs/abs-link.md"), "docs/abs-link.md"));
        for (String format : List.of("tar.gz", "zip")) {
            Path a = dir.resolve("links." + format);
            Archives.write(build, "top", format, withLinks, TIME, a);
            java.util.Map<String, String> links = new java.util.TreeMap<>();
            if (format.equals("zip")) {
                try (ZipFile zip = ZipFile.builder().setPath(a).get()) {
                    for (var e : java.util.Collections.list(zip.getEntries())) {
                        if (e.isUnixSymlink()) {
                            links.put(e.getName(), new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8));
                        }
                    }
                }
            } else {
                try (InputStream in = Files.newInputStream(a);
                     TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
                    TarArchiveEntry e;
                    while ((e = tar.getNextEntry()) != null) {
                        if (e.isSymbolicLink()) {
                            links.put(e.getName(), e.getLinkName());
                        }
                    }
                }
            }
            assertEquals(java.util.Map.of("top/app/current.jar", "lib/a.jar", "top/docs-link.md", "docs/guide.md",
                    "top/docs/abs-link.md", "guide.md"), links, format);
        }
    }

    @Test
    void aLinkThatLeavesTheArchiveIsRefusedWhenWriting() throws Exception {
        Files.createSymbolicLink(dir.resolve("svc/up.md"), Path.of("../README.md"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Archives.write(build, "top",
                "tar.gz", List.of(new Archives.Extra(dir.resolve("svc/up.md"), "up.md")), TIME, dir.resolve("x.tar.gz")));
        assertEquals("extra file up.md is a symbolic link to ../README.md, which is outside the archive", e.getMessage());
    }
}
