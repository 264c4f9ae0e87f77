package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.cli.Example.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Startup trained at build time: an AOT cache (JEP 483/514) made by a training run on the shipped
 * JDK 25 runtime, and the training cache, which a rebuild with another version reuses.
 */
class TrainedStartupTest {
    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @Test
    void aJdk25RuntimeShipsAnAotCacheThatTheJvmUsesAndARejectedCacheStaysQuiet(@TempDir Path work) throws Exception {
        Tools.requireThat(Files.isExecutable(JDK25.resolve("bin/jlink")), "Temurin 25 at " + JDK25);
        Path service = work.resolve("myapp");
        Example.copy(service);
        String yaml = Files.readString(service.resolve("slipway.yaml"));
        Files.writeString(service.resolve("slipway.yaml"), yaml.replace("build:\n", "build:\n  jdk: " + JDK25 + "\n"));
        String commit = Example.commit(service);

        var r = CliRunner.run("build", service.toString(), "--version", "2.5.0");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("training an AOT cache on the JDK 25 runtime done") || r.err().contains("startup cache from the training cache"),
                r.toString());
        Path exe = service.resolve("dist/myapp_2.5.0_linux_amd64/myapp");
        String stub = new String(Files.readAllBytes(exe), 0, 4096, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(stub.contains("\"-XX:AOTCache=${slipway_home}/app/app.aot\""), stub);

        Path cache = work.resolve("cache");
        List<String> env = List.of("SLIPWAY_CACHE_DIR=" + cache, "JAVA_OPTS=-Xlog:class+load=info");
        Proc v = Example.exec(List.of(exe.toString(), "version"), env);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("Git Commit: " + commit), v.toString());
        assertTrue(v.out().lines().anyMatch(l -> l.contains("example.myapp.Main source: shared objects file")),
                "the app's classes come from the AOT cache:\n" + v.out());

        // The cache's classes have their jar as code source: the JVM finds it by the path the cache
        // recorded, under descriptor 9, which the launcher opens on the unpacked tree. A cache that
        // recorded the build's layout made ClassLoaders.toFileURL throw for every class and left
        // the code source without a location.
        Proc sources = Example.exec(List.of(exe.toString(), "version"),
                List.of("SLIPWAY_CACHE_DIR=" + cache, "JAVA_OPTS=-Xlog:exceptions=info"));
        assertEquals(0, sources.code(), sources.toString());
        assertTrue(sources.out().contains("Version:    2.5.0"), sources.toString());
        assertFalse(sources.out().contains("toFileURL"), "no class of the cache lacks its jar:\n" + sources.out());
        assertTrue(stub.contains("exec 9<\"$slipway_home\""), stub);

        // A cache the JVM rejects must not stop the app or leak CDS/AOT logs.
        Path aot;
        try (var s = Files.walk(cache.resolve("run"))) {
            aot = s.filter(p -> p.endsWith("app/app.aot")).findFirst().orElseThrow();
        }
        // Its time is kept: a changed time sends the run to the unpacker, which unpacks the damaged
        // tree again (LauncherTest); only the JVM checks the content of an unchanged-looking file.
        java.nio.file.attribute.FileTime aotTime = Files.getLastModifiedTime(aot);
        Files.write(aot, new byte[] {1, 2, 3, 4});
        Files.setLastModifiedTime(aot, aotTime);
        Proc bad = Example.exec(List.of(exe.toString(), "version"), List.of("SLIPWAY_CACHE_DIR=" + cache));
        assertEquals(0, bad.code(), bad.toString());
        assertEquals("", bad.err(), "no AOT/CDS log leaks to the user");
        assertTrue(bad.out().contains("Version:    2.5.0"), bad.toString());

        var again = CliRunner.run("build", service.toString(), "--version", "2.5.0", "--no-compile");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("linux-amd64 startup cache from the training cache"), again.toString());

        // Another version of the same commit: build-info.jar differs, and is not trained on (it is
        // last on the class path), so the cache is reused and the JVM takes it.
        var next = CliRunner.run("build", service.toString(), "--version", "2.6.0", "--no-compile");
        assertEquals(0, next.code(), next.toString());
        assertTrue(next.err().contains("linux-amd64 startup cache from the training cache"), next.toString());
        Path exe26 = service.resolve("dist/myapp_2.6.0_linux_amd64/myapp");
        Proc v26 = Example.exec(List.of(exe26.toString(), "version"), env);
        assertEquals(0, v26.code(), v26.toString());
        assertTrue(v26.out().contains("Version:    2.6.0"), v26.toString());
        assertTrue(v26.out().lines().anyMatch(l -> l.contains("example.myapp.Main source: shared objects file")),
                "the reused AOT cache is used:\n" + v26.out());
    }

    /**
     * Issue 21, one class changed: in a git repository (the build time is the commit's), a class
     * of the app that changed in the working tree keeps the JDK 17 class list and the AppCDS archive,
     * which covers the dependency jars alone ({@code DependenciesFirst}); the changed class reaches
     * the single file and runs, from the app's jar. Committed (a new commit time, so a new build
     * time), the same content keeps the archive too, and its first run maps it.
     */
    @Test
    void aChangedClassOfTheAppKeepsTheJdk17ArchiveOfTheDependencies(@TempDir Path work) throws Exception {
        Path service = work.resolve("myapp");
        Example.copy(service);
        Path main = service.resolve("src/main/java/example/myapp/Main.java");
        String source = Files.readString(main);
        // A class whose constant changes between the builds: its class file changes, no entry name does.
        Files.writeString(main, source + "final class TestEdit { static final String AT = \"first\"; }\n");
        Example.commit(service);
        var first = CliRunner.run("build", service.toString(), "--version", "1.0.0");
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.err().contains("it covers the 28 dependency jars, the app's own classes load from its jar"),
                first.toString());
        Files.writeString(main, source + "final class TestEdit { static final String AT = \"second\"; }\n");
        var second = CliRunner.run("build", service.toString(), "--version", "1.0.0");
        assertEquals(0, second.code(), second.toString());
        assertTrue(second.err().contains("startup cache from the training cache"), second.toString());
        assertTrue(second.err().contains("startup: the AppCDS archive from the training cache"),
                "the archive of the unchanged dependency jars is kept:\n" + second);

        Path exe = service.resolve("dist/myapp_1.0.0_linux_amd64/myapp");
        Path jar = service.resolve("target/myapp-0.1.0.jar");
        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
            String cls = new String(zip.getInputStream(zip.getEntry("example/myapp/TestEdit.class")).readAllBytes(),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(cls.contains("second"), "Maven compiled the change");
        }
        String cache = "SLIPWAY_CACHE_DIR=" + work.resolve("cache");
        Proc v = Example.exec(List.of(exe.toString(), "version"), List.of(cache, "JAVA_OPTS=-Xlog:class+load=info"));
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().lines().anyMatch(l -> l.contains("example.myapp.Main source: file:")), v.out());
        // The launcher's own JIT options (Launcher.C2_THRESHOLDS) reach the JVM, and JAVA_OPTS,
        // which comes after them, overrides them.
        Proc flags = Example.exec(List.of(exe.toString(), "version"), List.of(cache, "JAVA_OPTS=-XX:+PrintFlagsFinal"));
        assertEquals(0, flags.code(), flags.toString());
        assertTrue(flags.out().lines().anyMatch(l -> l.matches("\\s*intx Tier4InvocationThreshold\\s+= 50000\\s.*")),
                "C2 waits for ten times the default invocations:\n" + flags.out().lines()
                        .filter(l -> l.contains("Tier4")).toList());
        Proc own = Example.exec(List.of(exe.toString(), "version"),
                List.of(cache, "JAVA_OPTS=-XX:Tier4InvocationThreshold=5000 -XX:+PrintFlagsFinal"));
        assertEquals(0, own.code(), own.toString());
        assertTrue(own.out().lines().anyMatch(l -> l.matches("\\s*intx Tier4InvocationThreshold\\s+= 5000\\s.*")),
                "JAVA_OPTS wins:\n" + own.out().lines().filter(l -> l.contains("Tier4")).toList());
        String dep = Example.dependencyClassLoad(exe, List.of(cache));
        assertTrue(dep.endsWith("source: shared objects file"), "the kept archive is used: " + dep);
        // The changed class is in the shipped jar: the unpacked app jar holds the new constant.
        Path home;
        try (var s = Files.list(work.resolve("cache/run"))) {
            home = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        try (var zip = new java.util.zip.ZipFile(home.resolve("app/myapp-0.1.0.jar").toFile())) {
            String cls = new String(zip.getInputStream(zip.getEntry("example/myapp/TestEdit.class")).readAllBytes(),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(cls.contains("second"), "the changed class reached the single file");
        }

        // The same content as a new commit, a day later: a new build time, which the files no longer
        // carry (one fixed time, BuildInfo.FILE_TIME), so the archive of the same jars is kept.
        String next;
        try (var git = org.eclipse.jgit.api.Git.open(service.toFile())) {
            git.add().addFilepattern(".").call();
            var who = new org.eclipse.jgit.lib.PersonIdent("Test", "test@slipway.invalid",
                    java.time.Instant.parse("2026-01-02T00:00:00Z"), java.time.ZoneOffset.UTC);
            next = git.commit().setMessage("the same content, committed").setAuthor(who).setCommitter(who).setSign(false)
                    .call().getName();
        }
        var third = CliRunner.run("build", service.toString(), "--version", "1.0.1");
        assertEquals(0, third.code(), third.toString());
        assertTrue(third.err().contains("startup: the AppCDS archive from the training cache"),
                "a new commit of the same jars keeps the archive:\n" + third);
        assertTrue(!third.err().contains("dumping the AppCDS archive"), third.toString());
        Path exe101 = service.resolve("dist/myapp_1.0.1_linux_amd64/myapp");
        String fresh = "SLIPWAY_CACHE_DIR=" + work.resolve("cache101");
        // The first run (here in prepare mode, which says what it did) takes the archive as built: no dump.
        Proc prepare = Example.exec(List.of(exe101.toString()), List.of(fresh, "SLIPWAY_PREPARE=1"));
        assertEquals(0, prepare.code(), prepare.toString());
        assertTrue(prepare.err().contains("the class-data archive made at build time is used here without a check")
                || prepare.err().contains("the class-data archive made at build time is mapped here"), prepare.toString());
        assertTrue(!prepare.err().contains("dumping it here"), prepare.toString());
        Proc v101 = Example.exec(List.of(exe101.toString(), "version"), List.of(fresh));
        assertEquals(0, v101.code(), v101.toString());
        assertTrue(v101.out().contains("Git Commit: " + next) && v101.out().contains("Build Time: 2026-01-02T00:00:00Z"),
                "the build time is still the commit's, as data:\n" + v101);
        String dep101 = Example.dependencyClassLoad(exe101, List.of(fresh));
        assertTrue(dep101.endsWith("source: shared objects file"), "the kept archive is mapped on its first run: " + dep101);
        Path home101;
        try (var s = Files.list(work.resolve("cache101/run"))) {
            home101 = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertEquals(dev.slipway.build.BuildInfo.FILE_TIME,
                Files.getLastModifiedTime(home101.resolve("app/myapp-0.1.0.jar")).toInstant(),
                "the unpacked files have the fixed time, not the build's");
    }

    /**
     * The case of issue 15: a project outside git gets the build time "now", so every build's
     * build-info.jar differs; a second build with another version (and Maven run again, as
     * {@code ship} after {@code build} does) takes the JDK 17 class list and the archive made at build
     * time from the training cache (the files' time is fixed, not the build's), and the JVM uses it.
     */
    @Test
    void aRebuildWithAnotherVersionOutsideGitDoesNotTrainAgain(@TempDir Path work) throws Exception {
        Path service = work.resolve("myapp");
        Example.copy(service);
        var first = CliRunner.run("build", service.toString(), "--version", "1.0.0");
        assertEquals(0, first.code(), first.toString());
        var second = CliRunner.run("build", service.toString(), "--version", "1.0.1");
        assertEquals(0, second.code(), second.toString());
        assertTrue(second.err().contains("linux-amd64 startup cache from the training cache"),
                "the second build does not train again:\n" + second);
        assertTrue(!second.err().contains("training an AppCDS class list"), second.toString());
        // Its build time is another "now", which the files do not carry: the archive is kept too.
        assertTrue(second.err().contains("startup: the AppCDS archive from the training cache"),
                "nor dump the archive again:\n" + second);

        Path exe = service.resolve("dist/myapp_1.0.1_linux_amd64/myapp");
        List<String> env = List.of("SLIPWAY_CACHE_DIR=" + work.resolve("cache"), "JAVA_OPTS=-Xlog:class+load=info");
        Proc prepare = Example.exec(List.of(exe.toString()), List.of("SLIPWAY_CACHE_DIR=" + work.resolve("cache"),
                "SLIPWAY_PREPARE=1"));
        assertEquals(0, prepare.code(), prepare.toString());
        Proc v = Example.exec(List.of(exe.toString(), "version"), env);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("Version:    1.0.1"), v.toString());
        // The archive covers the dependency jars, which come first on the class path (DependenciesFirst):
        // the app's own classes load from its jar, a dependency's from the archive.
        assertTrue(v.out().lines().anyMatch(l -> l.contains("example.myapp.Main source: file:") && l.endsWith("/app/myapp-0.1.0.jar")),
                v.out());
        assertTrue(v.out().lines().anyMatch(l -> l.endsWith("java.lang.Object source: shared objects file")), v.out());
        String dep = Example.dependencyClassLoad(exe, List.of("SLIPWAY_CACHE_DIR=" + work.resolve("cache")));
        assertTrue(dep.endsWith("source: shared objects file"),
                "the archive dumped from the reused class list is used for the dependencies' classes: " + dep);
    }
}
