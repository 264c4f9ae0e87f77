package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each build output layout Slipway reads, made for real in a temporary service directory (jars
 * written with {@code java.util.jar}, in the shapes the Maven, Gradle, Spring Boot and Quarkus
 * plugins write them), and what {@link BuildOutputs#locate} takes from it: the application jars,
 * the dependencies in order, the main class, and what it leaves out.
 */
class BuildOutputsTest {
    @TempDir
    Path dir;

    @org.junit.jupiter.api.AfterEach
    void resetTime() {
        entryTime = -1;
    }

    private final StringWriter progress = new StringWriter();
    private final Console console = new Console(new PrintWriter(progress, true), new PrintWriter(progress, true), false);

    // ---- Spring Boot -----------------------------------------------------------------------------

    @Test
    void springBootJarIsExplodedInClasspathIndexOrderWithoutDevtools() throws IOException {
        Path fat = springBootJar(dir.resolve("target/demo-1.0.jar"), "org.springframework.boot.loader.launch.JarLauncher");
        Files.createDirectories(dir.resolve("target/slipway/lib")); // the default command's copy, not used
        Files.write(dir.resolve("target/demo-1.0.jar.original"), new byte[] {1});

        BuildOutput out = locate("name: demo\n");

        assertEquals(BuildOutput.Layout.SPRING_BOOT, out.layout());
        assertEquals(fat, out.source());
        assertEquals("demo.DemoApplication", out.mainClass());
        assertEquals(List.of("zeta-2.0.jar", "alpha-1.0.jar", "spring-boot-jarmode-tools-3.5.7.jar"), names(out.dependencies()));
        assertEquals(List.of("demo-1.0.jar"), names(out.appJars()));
        assertTrue(out.notes().stream().anyMatch(n -> n.contains("development-only") && n.contains("spring-boot-devtools-3.5.7.jar")),
                out.notes().toString());
        assertTrue(out.notes().stream().anyMatch(n -> n.contains("target/slipway/lib is not used")), out.notes().toString());
        assertTrue(progress.toString().contains("input: Spring Boot executable jar target/demo-1.0.jar"), progress.toString());
        // The library jars are the fat jar's bytes.
        assertArrayEquals("zeta".getBytes(StandardCharsets.UTF_8), entry(out.dependencies().get(0), "zeta.txt"));

        Path app = out.appJars().get(0);
        try (JarInputStream in = new JarInputStream(Files.newInputStream(app))) {
            Manifest mf = in.getManifest(); // JarInputStream finds it only when it comes first
            assertEquals("demo.DemoApplication", mf.getMainAttributes().getValue("Main-Class"));
            assertEquals("1.0", mf.getMainAttributes().getValue("Implementation-Version"));
            assertNull(mf.getMainAttributes().getValue("Start-Class"));
            assertNull(mf.getMainAttributes().getValue("Spring-Boot-Lib"));
        }
        List<String> entries = entryNames(app);
        assertEquals(List.of("META-INF/", "META-INF/MANIFEST.MF", "META-INF/maven/", "META-INF/maven/com.example/",
                "META-INF/maven/com.example/demo/", "META-INF/maven/com.example/demo/pom.properties",
                "application.properties", "demo/", "demo/DemoApplication.class"), entries);
        assertArrayEquals(new byte[] {(byte) 0xca, (byte) 0xfe}, entry(app, "demo/DemoApplication.class"));

        // Reproducible: a rebuilt fat jar with other times explodes to the same bytes.
        byte[] first = Files.readAllBytes(app);
        byte[] fatBefore = Files.readAllBytes(fat);
        entryTime = 1_000_000_000_000L;
        springBootJar(fat, "org.springframework.boot.loader.launch.JarLauncher");
        assertFalse(java.util.Arrays.equals(fatBefore, Files.readAllBytes(fat)), "the rebuilt fat jar differs");
        BuildOutput again = locate("name: demo\n");
        assertArrayEquals(first, Files.readAllBytes(again.appJars().get(0)));
    }

    @Test
    void springBootBeforeThreePointTwoHasTheOlderLauncherName() throws IOException {
        springBootJar(dir.resolve("target/demo-1.0.jar"), "org.springframework.boot.loader.JarLauncher");
        BuildOutput out = locate("name: demo\n");
        assertEquals(BuildOutput.Layout.SPRING_BOOT, out.layout());
        assertEquals("demo.DemoApplication", out.mainClass());
    }

    @Test
    void gradleBootJarIsReadFromBuildLibsAndThePlainJarIsSkipped() throws IOException {
        springBootJar(dir.resolve("build/libs/demo-1.0.jar"), "org.springframework.boot.loader.launch.JarLauncher");
        jar(dir.resolve("build/libs/demo-1.0-plain.jar"), Map.of(), Map.of("demo/DemoApplication.class", "x"));
        BuildOutput out = locate("name: demo\n");
        assertEquals(BuildOutput.Layout.SPRING_BOOT, out.layout());
        assertEquals(dir.resolve("build/libs/demo-1.0.jar"), out.source());
    }

    /**
     * Spring Boot's executable war (packaging war, the Initializr's "War" choice): WarLauncher, its
     * classes and jars under WEB-INF/, and the provided-scope embedded server in WEB-INF/lib-provided/,
     * which classpath.idx lists and which the app needs to run outside a servlet container (the
     * exploded output used to miss it, and the index check refused the war).
     */
    @Test
    void springBootExecutableWarShipsItsProvidedJarsToo() throws IOException {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("Main-Class", "org.springframework.boot.loader.launch.WarLauncher");
        attrs.put("Start-Class", "demo.DemoApplication");
        attrs.put("Spring-Boot-Classes", "WEB-INF/classes/");
        attrs.put("Spring-Boot-Lib", "WEB-INF/lib/");
        attrs.put("Spring-Boot-Classpath-Index", "WEB-INF/classpath.idx");
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("org/springframework/boot/loader/launch/WarLauncher.class", "launcher");
        entries.put("WEB-INF/classes/demo/DemoApplication.class", new byte[] {(byte) 0xca, (byte) 0xfe});
        entries.put("WEB-INF/lib/spring-web-6.2.jar", innerJar("web"));
        entries.put("WEB-INF/lib-provided/tomcat-embed-core-10.1.jar", innerJar("tomcat"));
        entries.put("WEB-INF/classpath.idx", "- \"WEB-INF/lib/spring-web-6.2.jar\"\n"
                + "- \"WEB-INF/lib-provided/tomcat-embed-core-10.1.jar\"\n");
        entries.put("index.html", "<html/>");
        Path war = jar(dir.resolve("target/demo-1.0.war"), attrs, entries);
        Files.write(dir.resolve("target/demo-1.0.war.original"), new byte[] {1});

        BuildOutput out = locate("name: demo\n");

        assertEquals(BuildOutput.Layout.SPRING_BOOT, out.layout());
        assertEquals(war, out.source());
        assertEquals("demo.DemoApplication", out.mainClass());
        assertEquals(List.of("spring-web-6.2.jar", "tomcat-embed-core-10.1.jar"), names(out.dependencies()));
        assertEquals(List.of("demo-1.0.jar"), names(out.appJars()), "the application jar is a .jar");
        assertEquals(List.of("META-INF/", "META-INF/MANIFEST.MF", "demo/", "demo/DemoApplication.class"),
                entryNames(out.appJars().get(0)));
        assertTrue(out.notes().stream().anyMatch(n -> n.contains("web content (1 files, e.g. index.html)")),
                out.notes().toString());
    }

    // ---- Quarkus ---------------------------------------------------------------------------------

    @Test
    void quarkusFastJarShipsItsTreeWithQuarkusRunJarOnTheClassPath() throws IOException {
        Path tree = quarkusApp(dir.resolve("target"));
        Files.writeString(dir.resolve("target/quarkus-artifact.properties"),
                "# Generated by Quarkus\npath=quarkus-app/quarkus-run.jar\ntype=jar\n");

        BuildOutput out = locate("name: qk\n");

        assertEquals(BuildOutput.Layout.QUARKUS_FAST_JAR, out.layout());
        assertEquals("io.quarkus.bootstrap.runner.QuarkusEntryPoint", out.mainClass());
        assertEquals(tree, out.tree());
        assertEquals(List.of("qk-1.0.jar", "generated-bytecode.jar"), names(out.appJars()));
        // Every shipped jar, for jdeps: the manifest's lib/boot order first, then lib/main, then quarkus/.
        assertEquals(List.of("io.quarkus.quarkus-bootstrap-runner-3.33.2.jar", "org.jboss.logging.jboss-logging-3.6.2.jar",
                "io.vertx.vertx-core-4.5.jar", "transformed-bytecode.jar"), names(out.dependencies()));
        assertEquals(List.of("--add-opens=java.base/java.lang=ALL-UNNAMED"), out.jvmOptions());

        Path layout = dir.resolve("layout");
        Files.createDirectories(layout.resolve("app"));
        assertEquals(List.of("app/quarkus-app/quarkus-run.jar"), out.placeInto(layout));
        for (String f : List.of("quarkus-run.jar", "lib/boot/org.jboss.logging.jboss-logging-3.6.2.jar",
                "lib/main/io.vertx.vertx-core-4.5.jar", "app/qk-1.0.jar", "quarkus/quarkus-application.dat")) {
            assertTrue(Files.isRegularFile(layout.resolve("app/quarkus-app").resolve(f)), f);
        }
        SlipwayConfig effective = BuildOutputs.withManifestOptions(
                ConfigLoader.parse(dir.resolve("slipway.yaml"), "name: qk\nbuild: {jvmOptions: [-Xmx64m]}\n"), out);
        assertEquals(List.of("--add-opens=java.base/java.lang=ALL-UNNAMED", "-Xmx64m"), effective.build().jvmOptions());
    }

    @Test
    void quarkusFastJarWithoutThePropertiesFileAndFromGradlesBuildDirectory() throws IOException {
        quarkusApp(dir.resolve("build"));
        BuildOutput out = locate("name: qk\n");
        assertEquals(BuildOutput.Layout.QUARKUS_FAST_JAR, out.layout());
        assertEquals(dir.resolve("build/quarkus-app"), out.tree());
        // build.jar naming quarkus-run.jar ships the tree too.
        BuildOutput configured = locate("name: qk\nbuild: {jar: build/quarkus-app/quarkus-run.jar}\n");
        assertEquals(dir.resolve("build/quarkus-app"), configured.tree());
        assertEquals("quarkus-run.jar", configured.launchJar());
    }

    @Test
    void quarkusUberJarIsTheArtifactThePropertiesName() throws IOException {
        quarkusApp(dir.resolve("target")); // left over from an earlier fast-jar build
        jar(dir.resolve("target/qk-1.0-runner.jar"), Map.of("Main-Class", "io.quarkus.runner.GeneratedMain",
                "Add-Opens", "java.base/java.lang"), Map.of("io/quarkus/runner/GeneratedMain.class", "x"));
        Files.writeString(dir.resolve("target/quarkus-artifact.properties"), "path=qk-1.0-runner.jar\ntype=jar\n");
        BuildOutput out = locate("name: qk\n");
        assertEquals(BuildOutput.Layout.UBER_JAR, out.layout());
        assertEquals(List.of("qk-1.0-runner.jar"), names(out.appJars()));
        assertEquals(List.of(), out.dependencies());
        assertEquals("io.quarkus.runner.GeneratedMain", out.mainClass());
    }

    @Test
    void aQuarkusNativeBuildIsRefusedWithTheReason() throws IOException {
        Files.createDirectories(dir.resolve("target"));
        Files.writeString(dir.resolve("target/quarkus-artifact.properties"), "path=qk-1.0-runner\ntype=native\n");
        SlipwayException e = assertThrows(SlipwayException.class, () -> locate("name: qk\n"));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("native executable"), e.getMessage());
    }

    // ---- Maven: plain jar, assembly, shade -------------------------------------------------------

    @Test
    void plainJarAndLibFollowTheDependencyListAndLeaveOutOptionalAndTestJars() throws IOException {
        jar(dir.resolve("target/app-1.0.jar"), Map.of("Main-Class", "example.Main"), Map.of("example/Main.class", "x"));
        Path lib = dir.resolve("target/slipway/lib");
        for (String n : List.of("a-lib-1.0.jar", "b-lib-2.0.jar", "c-lib-1.0-SNAPSHOT.jar", "z-native-1.0-linux.jar",
                "spring-boot-devtools-3.5.7.jar", "extra-0.1.jar", "fixtures-1.0-tests.jar")) {
            jar(lib.resolve(n), Map.of(), Map.of("x/" + n + ".txt", n));
        }
        Files.writeString(dir.resolve("target/slipway/dependencies.txt"), """

                The following files have been resolved:
                   org.example:z-native:jar:linux:1.0:compile -- module z.nat
                   org.example:b-lib:jar:2.0:compile -- module b.lib [auto]
                   org.springframework.boot:spring-boot-devtools:jar:3.5.7:runtime (optional) -- module spring.boot.devtools [auto]
                   org.example:c-lib:jar:1.0-20240102.030405-7:runtime
                   org.example:a-lib:jar:1.0:compile
                   org.example:fixtures:test-jar:tests:1.0:compile

                """);

        BuildOutput out = locate("name: app\n");

        assertEquals(BuildOutput.Layout.JAR_AND_LIB, out.layout());
        assertEquals(List.of("app-1.0.jar"), names(out.appJars()));
        assertEquals("example.Main", out.mainClass());
        assertEquals(List.of("z-native-1.0-linux.jar", "b-lib-2.0.jar", "c-lib-1.0-SNAPSHOT.jar", "a-lib-1.0.jar",
                "extra-0.1.jar"), names(out.dependencies()));
        assertTrue(out.notes().contains("left out optional dependencies (<optional>true</optional> in the POM):"
                + " spring-boot-devtools-3.5.7.jar"), out.notes().toString());
        assertTrue(out.notes().contains("left out development-only jars: fixtures-1.0-tests.jar"), out.notes().toString());

        Path layout = dir.resolve("layout");
        Files.createDirectories(layout.resolve("app"));
        assertEquals(List.of("app/app-1.0.jar", "app/lib/z-native-1.0-linux.jar", "app/lib/b-lib-2.0.jar",
                "app/lib/c-lib-1.0-SNAPSHOT.jar", "app/lib/a-lib-1.0.jar", "app/lib/extra-0.1.jar"), out.placeInto(layout));
        assertFalse(Files.exists(layout.resolve("app/lib/spring-boot-devtools-3.5.7.jar")));
    }

    @Test
    void withoutAListTheLibIsInFileNameOrderAndDevtoolsIsStillLeftOut() throws IOException {
        jar(dir.resolve("target/app-1.0.jar"), Map.of("Main-Class", "example.Main"), Map.of("example/Main.class", "x"));
        for (String n : List.of("b-1.0.jar", "a-1.0.jar", "spring-boot-devtools-3.5.7.jar", "spring-boot-docker-compose-3.5.7.jar")) {
            jar(dir.resolve("target/slipway/lib").resolve(n), Map.of(), Map.of("x.txt", n));
        }
        BuildOutput out = locate("name: app\n");
        assertEquals(List.of("a-1.0.jar", "b-1.0.jar"), names(out.dependencies()));
        assertTrue(out.notes().contains("left out development-only jars: spring-boot-devtools-3.5.7.jar,"
                + " spring-boot-docker-compose-3.5.7.jar"), out.notes().toString());
    }

    @Test
    void assemblyJarIsNotTakenWhenThePlainJarRunsAndHasItsLib() throws IOException {
        jar(dir.resolve("target/app-1.0.jar"), Map.of("Main-Class", "example.Main"), Map.of("example/Main.class", "x"));
        jar(dir.resolve("target/app-1.0-jar-with-dependencies.jar"), Map.of("Main-Class", "example.Main"),
                Map.of("example/Main.class", "x", "module-info.class", "m", "Unnamed.class", "u"));
        jar(dir.resolve("target/slipway/lib/javalin-6.3.0.jar"), Map.of(), Map.of("io/javalin/Javalin.class", "x"));

        BuildOutput out = locate("name: app\n");

        assertEquals(BuildOutput.Layout.JAR_AND_LIB, out.layout());
        assertEquals(List.of("app-1.0.jar"), names(out.appJars()));
        assertEquals(List.of("javalin-6.3.0.jar"), names(out.dependencies()));
        assertEquals("example.Main", out.mainClass());
        assertTrue(out.notes().contains("target/app-1.0-jar-with-dependencies.jar is not used: the plain jar and"
                + " target/slipway/lib are shipped"), out.notes().toString());
    }

    @Test
    void anUberJarHoldingAPlainJarWithoutMainClassIsShippedAloneEvenWithALib() throws IOException {
        // The assembly plugin's manifest config gives only the uber jar a Main-Class.
        jar(dir.resolve("target/app-1.0.jar"), Map.of(), Map.of("example/Main.class", "x"));
        jar(dir.resolve("target/app-1.0-jar-with-dependencies.jar"), Map.of("Main-Class", "example.Main"),
                Map.of("example/Main.class", "x", "io/javalin/Javalin.class", "j"));
        jar(dir.resolve("target/slipway/lib/javalin-6.3.0.jar"), Map.of(), Map.of("io/javalin/Javalin.class", "x"));

        BuildOutput out = locate("name: app\n");

        assertEquals(BuildOutput.Layout.UBER_JAR, out.layout());
        assertEquals(List.of("app-1.0-jar-with-dependencies.jar"), names(out.appJars()));
        assertEquals(List.of(), out.dependencies());
        assertEquals("example.Main", out.mainClass());
        assertTrue(out.notes().contains("target/app-1.0-jar-with-dependencies.jar holds the classes of target/app-1.0.jar"
                + " (which has no Main-Class) and its dependencies: it is shipped alone"), out.notes().toString());
        assertTrue(out.notes().contains("target/slipway/lib is not used: the uber jar carries the dependencies"),
                out.notes().toString());
    }

    @Test
    void vertxShadedOutputFileIsShippedForItsMainVerticle() throws IOException {
        // start.vertx.io: shade's <outputFile> ...-fat.jar, no original- jar; the plain jar has no Main-Class.
        Map<String, String> app = Map.of("com/example/starter/MainVerticle.class", "v");
        jar(dir.resolve("target/starter-1.0.0-SNAPSHOT.jar"), Map.of("Created-By", "Maven JAR Plugin 3.4.1"), app);
        Map<String, String> fat = new LinkedHashMap<>(app);
        fat.put("io/vertx/core/Launcher.class", "l");
        jar(dir.resolve("target/starter-1.0.0-SNAPSHOT-fat.jar"), Map.of("Main-Class", "io.vertx.core.Launcher",
                "Main-Verticle", "com.example.starter.MainVerticle"), fat);
        jar(dir.resolve("target/slipway/lib/vertx-core-4.5.27.jar"), Map.of(), Map.of("io/vertx/core/Launcher.class", "l"));

        BuildOutput out = locate("name: starter\n");
        assertEquals(BuildOutput.Layout.UBER_JAR, out.layout());
        assertEquals(List.of("starter-1.0.0-SNAPSHOT-fat.jar"), names(out.appJars()));
        assertEquals(List.of(), out.dependencies());
        assertEquals("io.vertx.core.Launcher", out.mainClass());

        // A plain jar that runs (main: io.vertx.core.Launcher in its manifest) but lacks Main-Verticle:
        // the fat jar still, under any name.
        Files.delete(dir.resolve("target/starter-1.0.0-SNAPSHOT-fat.jar"));
        jar(dir.resolve("target/starter-1.0.0-SNAPSHOT.jar"), Map.of("Main-Class", "io.vertx.core.Launcher"), app);
        jar(dir.resolve("target/app-fat.jar"), Map.of("Main-Class", "io.vertx.core.Launcher",
                "Main-Verticle", "com.example.starter.MainVerticle"), fat);
        out = locate("name: starter\n");
        assertEquals(List.of("app-fat.jar"), names(out.appJars()));
        assertTrue(out.notes().get(0).contains("(whose manifest lacks the Main-Verticle the launch reads)"),
                out.notes().toString());

        // Without Main-Verticle and with a runnable plain jar and its lib, the plain jar and lib win.
        jar(dir.resolve("target/app-fat.jar"), Map.of("Main-Class", "io.vertx.core.Launcher"), fat);
        out = locate("name: starter\n");
        assertEquals(List.of("starter-1.0.0-SNAPSHOT.jar"), names(out.appJars()));
        assertEquals(List.of("vertx-core-4.5.27.jar"), names(out.dependencies()));
        // ... and with no lib, the jar holding the dependencies.
        deleteTree(dir.resolve("target/slipway"));
        assertEquals(List.of("app-fat.jar"), names(locate("name: starter\n").appJars()));
    }

    @Test
    void assemblyJarIsShippedAloneWhenThereIsNoLib() throws IOException {
        jar(dir.resolve("target/app-1.0.jar"), Map.of(), Map.of("example/Main.class", "x"));
        jar(dir.resolve("target/app-1.0-jar-with-dependencies.jar"), Map.of("Main-Class", "example.Main"),
                Map.of("example/Main.class", "x"));
        BuildOutput out = locate("name: app\n");
        assertEquals(BuildOutput.Layout.UBER_JAR, out.layout());
        assertEquals(List.of("app-1.0-jar-with-dependencies.jar"), names(out.appJars()));
        assertEquals(List.of(), out.dependencies());
        assertEquals("example.Main", out.mainClass());
    }

    @Test
    void shadedJarIsShippedAloneAndTheLibIsNotUsed() throws IOException {
        jar(dir.resolve("target/svc-4.0.jar"), Map.of("Main-Class", "example.App"), Map.of("example/App.class", "x",
                "io/dropwizard/Application.class", "y"));
        jar(dir.resolve("target/original-svc-4.0.jar"), Map.of(), Map.of("example/App.class", "x"));
        jar(dir.resolve("target/slipway/lib/dropwizard-core-4.0.jar"), Map.of(), Map.of("io/dropwizard/Application.class", "y"));
        BuildOutput out = locate("name: svc\n");
        assertEquals(BuildOutput.Layout.UBER_JAR, out.layout());
        assertEquals(List.of("svc-4.0.jar"), names(out.appJars()));
        assertEquals(List.of(), out.dependencies());
        assertEquals("example.App", out.mainClass());
        assertTrue(out.notes().stream().anyMatch(n -> n.startsWith("target/slipway/lib is not used")), out.notes().toString());
    }

    @Test
    void withoutALibTheManifestClassPathNamesTheDependencies() throws IOException {
        // Helidon's parent POM: maven-jar-plugin's addClasspath with prefix libs/, and the dependencies copied there.
        jar(dir.resolve("target/libs/helidon-webserver-4.1.jar"), Map.of(), Map.of("io/helidon/W.class", "x"));
        jar(dir.resolve("target/libs/helidon-common-4.1.jar"), Map.of(), Map.of("io/helidon/C.class", "x"));
        jar(dir.resolve("target/svc.jar"), Map.of("Main-Class", "x.Main",
                "Class-Path", "libs/helidon-webserver-4.1.jar libs/helidon-common-4.1.jar"), Map.of("x/Main.class", "x"));
        BuildOutput out = locate("name: svc\n");
        assertEquals(BuildOutput.Layout.JAR_AND_LIB, out.layout());
        assertEquals(List.of("helidon-webserver-4.1.jar", "helidon-common-4.1.jar"), names(out.dependencies()));
        assertTrue(out.notes().contains("dependencies from the Class-Path of target/svc.jar's manifest (2 jars)"),
                out.notes().toString());

        // A Class-Path that names a missing jar is not taken: the jar ships alone.
        jar(dir.resolve("target/svc.jar"), Map.of("Main-Class", "x.Main",
                "Class-Path", "libs/helidon-webserver-4.1.jar libs/gone-1.0.jar"), Map.of("x/Main.class", "x"));
        assertEquals(List.of(), locate("name: svc\n").dependencies());
    }

    @Test
    void severalUnrelatedRunnableJarsNeedBuildJar() throws IOException {
        jar(dir.resolve("target/one.jar"), Map.of("Main-Class", "a.Main"), Map.of("a/Main.class", "x"));
        jar(dir.resolve("target/two.jar"), Map.of("Main-Class", "b.Main"), Map.of("b/Main.class", "x"));
        SlipwayException e = assertThrows(SlipwayException.class, () -> locate("name: app\n"));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("set build.jar"), e.getMessage());
    }

    @Test
    void noJarAtAllSaysWhatWasLookedFor() {
        SlipwayException e = assertThrows(SlipwayException.class, () -> locate("name: app\n"));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("no runnable jar") && e.getMessage().contains("build/install"), e.getMessage());
    }

    // ---- Gradle ----------------------------------------------------------------------------------

    @Test
    void gradleInstallDistTakesOrderAndMainClassFromTheStartScript() throws IOException {
        Path home = dir.resolve("build/install/myapp");
        jar(home.resolve("lib/myapp-1.2.jar"), Map.of(), Map.of("example/Main.class", "x"));
        for (String n : List.of("zeta-1.0.jar", "alpha-2.0.jar", "mid-3.0.jar", "helper-test-fixtures.jar")) {
            jar(home.resolve("lib").resolve(n), Map.of(), Map.of("x.txt", n));
        }
        Files.createDirectories(home.resolve("bin"));
        // The lines Gradle's unixStartScript.txt template writes.
        Files.writeString(home.resolve("bin/myapp"), """
                #!/bin/sh
                APP_BASE_NAME=${0##*/}
                APP_HOME=$( cd -P "${APP_HOME:-./}.." > /dev/null && printf '%s\\n' "$PWD" ) || exit

                CLASSPATH=$APP_HOME/lib/myapp-1.2.jar:$APP_HOME/lib/zeta-1.0.jar:$APP_HOME/lib/alpha-2.0.jar:$APP_HOME/lib/helper-test-fixtures.jar

                DEFAULT_JVM_OPTS=""

                set -- \\
                        "-Dorg.gradle.appname=$APP_BASE_NAME" \\
                        -classpath "$CLASSPATH" \\
                        example.Main \\
                        "$@"

                exec "$JAVACMD" "$@"
                """);

        BuildOutput out = locate("name: myapp\n");

        assertEquals(BuildOutput.Layout.GRADLE_INSTALL, out.layout());
        assertEquals(List.of("myapp-1.2.jar"), names(out.appJars()));
        assertEquals(List.of("zeta-1.0.jar", "alpha-2.0.jar", "mid-3.0.jar"), names(out.dependencies()),
                "the script's order, then jars it does not name");
        assertEquals("example.Main", out.mainClass());
        assertTrue(out.notes().contains("left out development-only jars: helper-test-fixtures.jar"), out.notes().toString());
    }

    @Test
    void olderGradleStartScriptsAndNoScriptAtAll() throws IOException {
        Path script = dir.resolve("old");
        Files.writeString(script, "CLASSPATH=$APP_HOME/lib/svc.jar:$APP_HOME/lib/dep-1.jar\n"
                + "eval set -- $DEFAULT_JVM_OPTS $JAVA_OPTS $SVC_OPTS -classpath \"\\\"$CLASSPATH\\\"\" org.acme.Main \"$APP_ARGS\"\n");
        assertEquals(new GradleStartScript(List.of("svc.jar", "dep-1.jar"), "org.acme.Main"), GradleStartScript.read(script));

        Path home = dir.resolve("build/install/svc");
        jar(home.resolve("lib/svc-0.3.jar"), Map.of("Main-Class", "org.acme.Main"), Map.of("org/acme/Main.class", "x"));
        jar(home.resolve("lib/svc-core-1.0.jar"), Map.of(), Map.of("x.txt", "x"));
        BuildOutput out = locate("name: svc\n");
        assertEquals(List.of("svc-0.3.jar"), names(out.appJars()));
        assertEquals(List.of("svc-core-1.0.jar"), names(out.dependencies()));
        assertEquals("org.acme.Main", out.mainClass());
    }

    @Test
    void gradleShadowJarInBuildLibs() throws IOException {
        jar(dir.resolve("build/libs/svc-1.0.jar"), Map.of(), Map.of("a/Main.class", "x"));
        jar(dir.resolve("build/libs/svc-1.0-all.jar"), Map.of("Main-Class", "a.Main"), Map.of("a/Main.class", "x"));
        BuildOutput out = locate("name: svc\n");
        assertEquals(BuildOutput.Layout.UBER_JAR, out.layout());
        assertEquals(List.of("svc-1.0-all.jar"), names(out.appJars()));
    }

    // ---- build.jar and build.lib -----------------------------------------------------------------

    @Test
    void configuredJarAndLibWin() throws IOException {
        springBootJar(dir.resolve("target/demo-1.0.jar"), "org.springframework.boot.loader.launch.JarLauncher");
        jar(dir.resolve("out/svc.jar"), Map.of("Main-Class", "x.Main"), Map.of("x/Main.class", "x"));
        jar(dir.resolve("deps/b.jar"), Map.of(), Map.of("b.txt", "b"));
        jar(dir.resolve("deps/a.jar"), Map.of(), Map.of("a.txt", "a"));
        BuildOutput out = locate("name: svc\nbuild: {jar: out/svc.jar, lib: deps}\n");
        assertEquals(BuildOutput.Layout.CONFIGURED, out.layout());
        assertEquals(List.of("svc.jar"), names(out.appJars()));
        assertEquals(List.of("a.jar", "b.jar"), names(out.dependencies()));
        assertEquals("x.Main", out.mainClass());
        assertTrue(progress.toString().contains("input: the configured jar out/svc.jar (2 dependencies, main class x.Main)"),
                progress.toString());
    }

    @Test
    void configuredLibAloneFindsThePlainJar() throws IOException {
        jar(dir.resolve("target/app-1.0.jar"), Map.of("Main-Class", "x.Main"), Map.of("x/Main.class", "x"));
        jar(dir.resolve("target/app-1.0-jar-with-dependencies.jar"), Map.of("Main-Class", "x.Main"), Map.of("x/Main.class", "x"));
        jar(dir.resolve("target/libs/dep.jar"), Map.of(), Map.of("d.txt", "d"));
        BuildOutput out = locate("name: app\nmain: x.Other\nbuild: {lib: target/libs}\n");
        assertEquals(List.of("app-1.0.jar"), names(out.appJars()));
        assertEquals(List.of("dep.jar"), names(out.dependencies()));
        assertEquals("x.Other", out.mainClass(), "main: wins over the manifest");
    }

    @Test
    void configuredSpringBootJarIsExplodedButRefusesALib() throws IOException {
        springBootJar(dir.resolve("target/demo-1.0.jar"), "org.springframework.boot.loader.launch.JarLauncher");
        assertEquals(BuildOutput.Layout.SPRING_BOOT, locate("name: d\nbuild: {jar: target/demo-1.0.jar}\n").layout());
        Files.createDirectories(dir.resolve("libs"));
        SlipwayException e = assertThrows(SlipwayException.class,
                () -> locate("name: d\nbuild: {jar: target/demo-1.0.jar, lib: libs}\n"));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("remove build.lib"), e.getMessage());
    }

    @Test
    void aLibThatLeadsOutOfTheServiceDirectoryThroughALinkIsRefusedAtBuildTime() throws IOException {
        jar(dir.resolve("target/app.jar"), Map.of("Main-Class", "x.Main"), Map.of("x/Main.class", "x"));
        SlipwayConfig config = ConfigLoader.parse(dir.resolve("slipway.yaml"), "name: app\nbuild: {lib: target/deps}\n");
        Path outside = Files.createTempDirectory("outside");
        try {
            // Made after the file was read, as a build command could.
            Files.createSymbolicLink(dir.resolve("target/deps"), outside);
            SlipwayException e = assertThrows(SlipwayException.class, () -> BuildOutputs.locate(config, console));
            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().contains("build.lib target/deps resolves through a symbolic link to " + outside.toRealPath()), e.getMessage());
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void missingConfiguredPathsSayWhat() throws IOException {
        SlipwayException jar = assertThrows(SlipwayException.class, () -> locate("name: a\nbuild: {jar: target/a.jar}\n"));
        assertTrue(jar.getMessage().startsWith("build.jar target/a.jar does not exist"), jar.getMessage());
        SlipwayException lib = assertThrows(SlipwayException.class, () -> locate("name: a\nbuild: {lib: target/lib}\n"));
        assertTrue(lib.getMessage().startsWith("build.lib target/lib is not a directory"), lib.getMessage());
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private BuildOutput locate(String yaml) {
        return BuildOutputs.locate(ConfigLoader.parse(dir.resolve("slipway.yaml"), yaml), console);
    }

    /**
     * A Spring Boot executable jar as the Maven plugin's repackage writes it: the launcher, the
     * manifest attributes, BOOT-INF/classes, BOOT-INF/lib (stored), classpath.idx and layers.idx.
     */
    private static Path springBootJar(Path file, String launcher) throws IOException {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("Implementation-Title", "demo");
        attrs.put("Implementation-Version", "1.0");
        attrs.put("Main-Class", launcher);
        attrs.put("Start-Class", "demo.DemoApplication");
        attrs.put("Spring-Boot-Version", "3.5.7");
        attrs.put("Spring-Boot-Classes", "BOOT-INF/classes/");
        attrs.put("Spring-Boot-Lib", "BOOT-INF/lib/");
        attrs.put("Spring-Boot-Classpath-Index", "BOOT-INF/classpath.idx");
        attrs.put("Spring-Boot-Layers-Index", "BOOT-INF/layers.idx");
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("META-INF/services/java.nio.file.spi.FileSystemProvider",
                "org.springframework.boot.loader.nio.file.NestedFileSystemProvider\n");
        entries.put("org/springframework/boot/loader/launch/JarLauncher.class", "launcher");
        entries.put("BOOT-INF/classes/demo/DemoApplication.class", new byte[] {(byte) 0xca, (byte) 0xfe});
        entries.put("BOOT-INF/classes/application.properties", "server.port=${PORT:8080}\n");
        entries.put("META-INF/maven/com.example/demo/pom.properties", "version=1.0\n");
        entries.put("BOOT-INF/lib/alpha-1.0.jar", innerJar("alpha"));
        entries.put("BOOT-INF/lib/spring-boot-devtools-3.5.7.jar", innerJar("devtools"));
        entries.put("BOOT-INF/lib/zeta-2.0.jar", innerJar("zeta"));
        entries.put("BOOT-INF/lib/spring-boot-jarmode-tools-3.5.7.jar", innerJar("jarmode"));
        entries.put("BOOT-INF/classpath.idx", "- \"BOOT-INF/lib/zeta-2.0.jar\"\n- \"BOOT-INF/lib/alpha-1.0.jar\"\n"
                + "- \"BOOT-INF/lib/spring-boot-devtools-3.5.7.jar\"\n- \"BOOT-INF/lib/spring-boot-jarmode-tools-3.5.7.jar\"\n");
        entries.put("BOOT-INF/layers.idx", "- \"dependencies\":\n  - \"BOOT-INF/lib/\"\n- \"application\":\n"
                + "  - \"BOOT-INF/classes/\"\n");
        return jar(file, attrs, entries);
    }

    private static byte[] innerJar(String name) throws IOException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(buf, new Manifest())) {
            out.putNextEntry(new ZipEntry(name + ".txt"));
            out.write(name.getBytes(StandardCharsets.UTF_8));
        }
        return buf.toByteArray();
    }

    /** A Quarkus fast-jar tree as quarkus-maven-plugin 3 writes it under {@code buildDir/quarkus-app}. */
    private static Path quarkusApp(Path buildDir) throws IOException {
        Path tree = buildDir.resolve("quarkus-app");
        jar(tree.resolve("quarkus-run.jar"), Map.of("Add-Opens", "java.base/java.lang",
                "Class-Path", "lib/boot/io.quarkus.quarkus-bootstrap-runner-3.33.2.jar lib/boot/org.jboss.logging.jboss-logging-3.6.2.jar",
                "Main-Class", "io.quarkus.bootstrap.runner.QuarkusEntryPoint"), Map.of());
        jar(tree.resolve("lib/boot/org.jboss.logging.jboss-logging-3.6.2.jar"), Map.of(), Map.of("org/jboss/logging/Logger.class", "x"));
        jar(tree.resolve("lib/boot/io.quarkus.quarkus-bootstrap-runner-3.33.2.jar"), Map.of(),
                Map.of("io/quarkus/bootstrap/runner/QuarkusEntryPoint.class", "x"));
        jar(tree.resolve("lib/main/io.vertx.vertx-core-4.5.jar"), Map.of(), Map.of("io/vertx/core/Vertx.class", "x"));
        jar(tree.resolve("app/qk-1.0.jar"), Map.of(), Map.of("org/acme/GreetingResource.class", "x"));
        jar(tree.resolve("quarkus/generated-bytecode.jar"), Map.of(), Map.of("io/quarkus/runner/ApplicationImpl.class", "x"));
        jar(tree.resolve("quarkus/transformed-bytecode.jar"), Map.of(), Map.of("x/T.class", "x"));
        Files.write(tree.resolve("quarkus/quarkus-application.dat"), new byte[] {0, 1, 2});
        Files.writeString(tree.resolve("quarkus-app-dependencies.txt"), "io.vertx:vertx-core::jar:4.5\n");
        return tree;
    }

    /** The time of the entries {@link #jar} writes, or -1 for now. */
    static long entryTime = -1;

    /** Writes a jar: a manifest with {@code attrs} (none: no manifest) and entries (String or byte[]; byte[] is stored). */
    static Path jar(Path file, Map<String, String> attrs, Map<String, ?> entries) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream os = Files.newOutputStream(file);
             JarOutputStream out = attrs.isEmpty() ? new JarOutputStream(os) : new JarOutputStream(os, manifest(attrs))) {
            for (var e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                if (entryTime >= 0) {
                    z.setTime(entryTime);
                }
                byte[] data = e.getValue() instanceof byte[] b ? b : e.getValue().toString().getBytes(StandardCharsets.UTF_8);
                if (e.getValue() instanceof byte[]) {
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    z.setMethod(ZipEntry.STORED);
                    z.setSize(data.length);
                    z.setCrc(crc.getValue());
                }
                out.putNextEntry(z);
                out.write(data);
                out.closeEntry();
            }
        }
        return file;
    }

    private static Manifest manifest(Map<String, String> attrs) {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attrs.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
        return mf;
    }

    private static List<String> names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }

    private static List<String> entryNames(Path jar) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            List<String> out = new ArrayList<>();
            Collections.list(jf.entries()).forEach(e -> out.add(e.getName()));
            return out;
        }
    }

    private static byte[] entry(Path jar, String name) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            return jf.getInputStream(jf.getEntry(name)).readAllBytes();
        }
    }
}
