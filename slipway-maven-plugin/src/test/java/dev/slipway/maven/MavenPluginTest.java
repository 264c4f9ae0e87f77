package dev.slipway.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the plugin in a real Maven on a copy of examples/myapp. The plugin and slipway-cli (as the
 * reactor compiled them) are installed into a fresh local repository; everything else comes from
 * the outer build's local repository, served to the inner Maven as a file repository, so the runs
 * need no network once the outer build has resolved its dependencies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MavenPluginTest {
    /** A build time that is neither the commit time nor now: it can only come from the POM. */
    static final String OUTPUT_TIMESTAMP = "2025-06-01T12:00:00Z";
    /** The plugin's default output directory in the project. */
    static final String OUT = "target/slipway/dist";

    @TempDir
    static Path tmp;

    static Path app;
    static Path settings;

    @BeforeAll
    static void setUp() throws Exception {
        Path repo = Path.of(System.getProperty("slipway.repo", "..")).toAbsolutePath().normalize();
        String version = System.getProperty("slipway.version");
        Path outer = Path.of(System.getProperty("slipway.localRepository"));
        assumeTrue(version != null, "run by Maven (surefire sets slipway.version)");
        Path cliClasses = repo.resolve("slipway-cli/target/classes");
        Path pluginClasses = repo.resolve("slipway-maven-plugin/target/classes");
        assertTrue(Files.isRegularFile(pluginClasses.resolve("META-INF/maven/plugin.xml")),
                "the plugin descriptor is generated at process-classes");
        assertTrue(Files.isDirectory(cliClasses.resolve("dev/slipway")), "slipway-cli is compiled first (reactor order)");

        Path local = tmp.resolve("repo");
        install(local, "slipway-parent", version, repo.resolve("pom.xml"), null);
        install(local, "slipway-cli", version, repo.resolve("slipway-cli/pom.xml"), cliClasses);
        install(local, "slipway-maven-plugin", version, repo.resolve("slipway-maven-plugin/pom.xml"), pluginClasses);

        settings = tmp.resolve("settings.xml");
        String url = outer.toUri().toString();
        Files.writeString(settings, """
                <settings>
                  <localRepository>%s</localRepository>
                  <profiles><profile><id>outer</id>
                    <repositories><repository><id>outer</id><url>%s</url></repository></repositories>
                    <pluginRepositories><pluginRepository><id>outer</id><url>%s</url></pluginRepository></pluginRepositories>
                  </profile></profiles>
                  <activeProfiles><activeProfile>outer</activeProfile></activeProfiles>
                </settings>
                """.formatted(local, url, url));

        app = tmp.resolve("myapp");
        copyTree(repo.resolve("examples/myapp"), app, Set.of("target", "dist", ".slipway", "data"));
        String pom = Files.readString(app.resolve("pom.xml"));
        pom = pom.replaceFirst("<project.build.outputTimestamp>[^<]*<", "<project.build.outputTimestamp>" + OUTPUT_TIMESTAMP + "<");
        pom = pom.replaceFirst("<build>\\s*<plugins>", """
                <build>
                    <plugins>
                      <plugin>
                        <groupId>dev.slipway</groupId>
                        <artifactId>slipway-maven-plugin</artifactId>
                        <version>%s</version>
                      </plugin>""".formatted(version));
        assertTrue(pom.contains("slipway-maven-plugin") && pom.contains(OUTPUT_TIMESTAMP));
        Files.writeString(app.resolve("pom.xml"), pom);
        try (Git git = Git.init().setDirectory(app.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("Test", "test@slipway.invalid",
                    java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);
            git.commit().setMessage("myapp").setAuthor(who).setCommitter(who).setSign(false).call();
        }
    }

    record Run(int code, String log) {}

    static Run mvn(String... goals) throws Exception {
        return mvnIn(app, goals);
    }

    static Run mvnIn(Path dir, String... goals) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-s", settings.toString(), "-DskipTests"));
        cmd.addAll(List.of(goals));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Path log = Files.createTempFile(tmp, "mvn", ".log");
        pb.redirectOutput(log.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("mvn ran over 10 minutes: " + cmd + "\n" + tail(Files.readString(log)));
        }
        return new Run(p.exitValue(), Files.readString(log));
    }

    static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    @Test
    @Order(1)
    void buildTakesTheVersionFromThePomAndTheTimeFromOutputTimestamp() throws Exception {
        Run r = mvn("package", "slipway:build", "slipway:image");
        assertEquals(0, r.code(), tail(r.log()));
        assertTrue(r.log().contains("--- slipway-maven-plugin:"), tail(r.log()));
        // Maven's convention: the output is under target/ (mvn clean removes it), not in dist/.
        assertFalse(Files.exists(app.resolve("dist")), "nothing in dist/");
        JsonNode doc = new ObjectMapper().readTree(app.resolve(OUT + "/artifacts.json").toFile());
        assertEquals("0.1.0", doc.get("version").asText(), doc.toString());
        Path exe = app.resolve(OUT + "/myapp_0.1.0_linux_amd64/myapp");
        assertTrue(Files.isExecutable(exe), r.log());
        String out = versionOf(exe);
        assertTrue(out.contains("Version:    0.1.0"), out);
        assertTrue(out.contains("Build Time: " + OUTPUT_TIMESTAMP), out);
        // slipway:image made the OCI archive of that build through the CLI's ImageBuilder and recorded it.
        JsonNode image = doc.get("image");
        assertTrue(image != null && image.get("index").asText().startsWith("sha256:"), doc.toString());
        assertEquals("oci-archive", image.get("format").asText(), doc.toString());
        assertTrue(Files.size(app.resolve(image.get("path").asText())) > 1_000_000, image.toString());
        assertTrue(image.get("manifests").has("linux-amd64"), image.toString());
        assertTrue(image.get("path").asText().startsWith(OUT + "/"), image.toString());
        // The CLI finds the plugin's build there (slipway deploy, status and image read it).
        var config = dev.slipway.config.ConfigLoader.loadFromDir(app);
        assertEquals(app.resolve(OUT + "/artifacts.json"), dev.slipway.artifact.ArtifactsFile.path(config));
        assertEquals("0.1.0", dev.slipway.artifact.ArtifactsFile.require(config, "").version());
    }

    /** @return what {@code EXE version} prints: the build info the app reads from its class path */
    static String versionOf(Path exe) throws Exception {
        Process p = new ProcessBuilder(exe.toString(), "version").redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    @Order(2)
    void cleanRemovesTheOutputAndSkipDoesNothingOffline() throws Exception {
        assertTrue(Files.isDirectory(app.resolve(OUT)), "test 1's build");
        Run clean = mvn("clean"); // online: the clean plugin comes from the outer local repository the first time
        assertEquals(0, clean.code(), tail(clean.log()));
        assertFalse(Files.exists(app.resolve(OUT)), "mvn clean removed the plugin's output");
        Run r = mvn("-o", "package", "slipway:build", "-Dslipway.skip=true");
        assertEquals(0, r.code(), tail(r.log()));
        assertTrue(r.log().contains("slipway: skipped (slipway.skip)"), tail(r.log()));
        assertFalse(Files.exists(app.resolve(OUT)));
        assertFalse(Files.exists(app.resolve("dist")));
    }

    @Test
    @Order(3)
    void snapshotReleaseWritesChecksumsAndTheManifestIntoAConfiguredDirectory() throws Exception {
        Path dir = app.resolve("target/release-out");
        Run r = mvn("-o", "package", "slipway:release", "-Dslipway.snapshot=true", "-Dslipway.outputDirectory=" + dir);
        assertEquals(0, r.code(), tail(r.log()));
        assertFalse(Files.exists(app.resolve(OUT)) || Files.exists(app.resolve("dist")), "only the configured directory");
        JsonNode doc = new ObjectMapper().readTree(dir.resolve("artifacts.json").toFile());
        assertTrue(doc.get("version").asText().startsWith("0.0.1-SNAPSHOT-"), doc.toString());
        String sums = Files.readString(dir.resolve("checksums.txt"));
        // Names relative to the output directory, as in dist/ (what publishers upload).
        assertTrue(sums.contains("  myapp_" + doc.get("version").asText() + "_linux_amd64.tar.gz\n"), sums);
        assertTrue(sums.contains("  myapp_" + doc.get("version").asText() + "_linux_amd64/myapp\n"), sums);
        String exe = null;
        for (JsonNode a : doc.get("artifacts")) {
            if (a.get("kind").asText().equals("single-file")) {
                exe = a.get("path").asText();
            }
        }
        assertTrue(exe != null, doc.toString());
        String out = versionOf(app.resolve(exe));
        assertTrue(out.contains("Version:    " + doc.get("version").asText()), out);
        assertTrue(out.contains("Build Time: " + OUTPUT_TIMESTAMP), out);
    }

    @Test
    @Order(4)
    void aConfigErrorFailsTheBuildWithFileLineColumn() throws Exception {
        Path yaml = app.resolve("slipway.yaml");
        String good = Files.readString(yaml);
        try {
            Files.writeString(yaml, good.replace("drainTimeout: 30s", "drainTimeuot: 30s"));
            Run r = mvn("-o", "slipway:build");
            assertEquals(1, r.code(), tail(r.log()));
            assertTrue(r.log().contains("slipway.yaml:") && r.log().contains("did you mean 'drainTimeout'"), tail(r.log()));
        } finally {
            Files.writeString(yaml, good);
        }
    }

    @Test
    @Order(5)
    void withoutSlipwayYamlTheBuildNamesInitAndInitWritesIt() throws Exception {
        Path fresh = tmp.resolve("fresh");
        copyTree(app, fresh, Set.of("target", "dist", ".slipway", ".git"));
        Files.delete(fresh.resolve("slipway.yaml"));
        Files.deleteIfExists(fresh.resolve(".gitignore"));

        Run missing = mvnIn(fresh, "-o", "slipway:build");
        assertEquals(1, missing.code(), tail(missing.log()));
        assertTrue(missing.log().contains("slipway: no slipway.yaml in " + fresh + ": run 'mvn slipway:init'"
                + " (or 'slipway init')"), tail(missing.log()));

        Run init = mvnIn(fresh, "-o", "slipway:init");
        assertEquals(0, init.code(), tail(init.log()));
        String yaml = Files.readString(fresh.resolve("slipway.yaml"));
        assertTrue(yaml.contains("name: myapp"), yaml);
        assertTrue(init.log().contains("wrote " + fresh.resolve("slipway.yaml")) && init.log().contains("slipway check: ok"),
                tail(init.log()));
        assertTrue(Files.readString(fresh.resolve(".gitignore")).contains("/dist/"));

        Run again = mvnIn(fresh, "-o", "slipway:init");
        assertEquals(1, again.code(), tail(again.log()));
        assertTrue(again.log().contains("exists; mvn slipway:init does not overwrite it without -Dslipway.force"),
                tail(again.log()));
        assertEquals(yaml, Files.readString(fresh.resolve("slipway.yaml")), "left as it was");
        assertEquals(0, mvnIn(fresh, "-o", "slipway:init", "-Dslipway.force").code());
    }

    @Test
    @Order(6)
    void helpListsEveryGoal() throws Exception {
        Run help = mvn("-o", "slipway:help");
        assertEquals(0, help.code(), tail(help.log()));
        for (String goal : List.of("init", "build", "image", "release", "help")) {
            assertTrue(help.log().contains("slipway:" + goal), goal + ":\n" + tail(help.log()));
        }
        Run detail = mvn("-o", "slipway:help", "-Ddetail", "-Dgoal=init");
        assertEquals(0, detail.code(), tail(detail.log()));
        assertTrue(detail.log().contains("slipway.force"), tail(detail.log()));
    }

    /** Lays out {@code artifactId} in a local repository as {@code mvn install} would. */
    static void install(Path local, String artifactId, String version, Path pom, Path classes) throws IOException {
        Path dir = local.resolve("dev/slipway").resolve(artifactId).resolve(version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"));
        if (classes != null) {
            Manifest mf = new Manifest();
            mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            try (OutputStream os = Files.newOutputStream(dir.resolve(artifactId + "-" + version + ".jar"));
                 JarOutputStream jar = new JarOutputStream(os, mf);
                 Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, jar);
                    jar.closeEntry();
                }
            }
        }
    }

    static void copyTree(Path from, Path to, Set<String> skipTopLevel) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (from.relativize(d).getNameCount() == 1 && skipTopLevel.contains(d.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
