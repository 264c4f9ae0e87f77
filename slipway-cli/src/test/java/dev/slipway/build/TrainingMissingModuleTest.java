package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run names the module a runtime lacks: a real app on a real runtime linked with
 * java.base alone, once failing on a zip file system (the JDK's ProviderNotFoundException, as a
 * Quarkus uber jar did) and once logging a NoClassDefFoundError for a JDK class and exiting 0; and
 * names the Java release a class newer than the runtime needs (built with a newer JDK than build.jdk,
 * as {@code slipway build --no-compile} after a build on JDK 25 allows, with Spring Boot 4's
 * {@code <java.version>21</java.version>}), where it had said to give the service a variable or a
 * database: the runtime refuses a real class whose class file version is one release newer.
 */
class TrainingMissingModuleTest {
    static final Jdk JDK = Jdk.at(Path.of(System.getProperty("java.home")), "the JDK running the tests");

    @TempDir
    static Path dir;
    static Path layout;

    @BeforeAll
    static void linkAndBuild() throws Exception {
        layout = dir.resolve("layout");
        Files.createDirectories(layout.resolve("app"));
        Exec.Result r = Exec.run(List.of(JDK.tool("jlink").toString(), "--add-modules", "java.base", "--output",
                layout.resolve("runtime").toString()), dir, Duration.ofMinutes(5));
        assertEquals(0, r.exitCode(), r.output());
        TestJars t = new TestJars(dir.resolve("jars"));
        Files.createDirectories(dir.resolve("jars"));
        Path jar = t.jar("app.jar", t.compile(17, Map.of("app/Main.java", """
                package app;
                public class Main {
                    public static void main(String[] a) throws Exception {
                        if (a[0].equals("zip")) {
                            java.nio.file.FileSystems.newFileSystem(java.nio.file.Path.of(a[1]));
                        } else {
                            try {
                                java.sql.DriverManager.getDrivers();
                            } catch (NoClassDefFoundError e) {
                                System.out.println("JDBC support off: " + e);
                            }
                            System.out.println("done");
                        }
                    }
                }
                """)), Map.of("Main-Class", "app.Main"));
        Files.copy(jar, layout.resolve("app/app.jar"));
    }

    private static SlipwayConfig config(String args) {
        return ConfigLoader.parse(dir.resolve("slipway.yaml"), "name: t\nbuild:\n  jdk: " + JDK.home()
                + "\ntrain:\n  urls: []\n  args: " + args + "\n  timeout: 2m\n");
    }

    private static Console console() {
        return new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
    }

    @Test
    void aZipFileSystemOnARuntimeWithoutJdkZipfsNamesJdkZipfs() {
        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(
                config("[zip, " + layout.resolve("app/app.jar") + "]"), JDK.feature(), layout, List.of("app/app.jar"),
                "app.Main", console()));
        assertTrue(e.getMessage().startsWith("the app needs module jdk.zipfs, which jdeps did not find: add it to"
                + " build.modules in slipway.yaml\n"), e.getMessage());
        assertTrue(e.getMessage().contains("the run printed: Exception in thread \"main\" java.nio.file.ProviderNotFoundException"),
                e.getMessage());
        assertTrue(e.getMessage().contains("(jdk.zipfs provides java.nio.file.spi.FileSystemProvider)"), e.getMessage());
        assertEquals(1, e.exitCode());
        assertTrue(e.output().contains("\tat app.Main.main"), "--debug gets the whole output");
    }

    @Test
    void aMissingJdkClassInTheLogOfASuccessfulRunNamesItsModule() {
        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(config("[sql]"), JDK.feature(), layout,
                List.of("app/app.jar"), "app.Main", console()));
        assertTrue(e.getMessage().startsWith("the app needs module java.sql, which jdeps did not find"), e.getMessage());
        assertTrue(e.getMessage().contains("JDBC support off: java.lang.NoClassDefFoundError: java/sql/DriverManager"),
                e.getMessage());
    }

    @Test
    void aClassNewerThanTheRuntimeNamesTheJavaReleaseItNeeds() throws Exception {
        TestJars t = new TestJars(dir.resolve("jars"));
        Map<String, byte[]> classes = new HashMap<>(t.compile(17, Map.of("app/Main.java",
                "package app;\npublic class Main { public static void main(String[] a) { System.out.println(\"hi\"); } }\n")));
        int newer = JDK.feature() + 1;
        byte[] main = classes.get("app/Main.class").clone();
        main[6] = (byte) ((newer + 44) >> 8); // JVMS 4.1: major_version, big-endian, after magic and minor_version
        main[7] = (byte) (newer + 44);
        classes.put("app/Main.class", main);
        Files.copy(t.jar("new.jar", classes, Map.of("Main-Class", "app.Main")), layout.resolve("app/new.jar"));

        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(config("[]"), JDK.feature(), layout,
                List.of("app/new.jar"), "app.Main", console()));
        assertTrue(e.getMessage().startsWith("the training run cannot load app.Main: it is compiled for Java " + newer
                + " (class file version " + (newer + 44) + ") and the runtime, linked from build.jdk (" + JDK.home()
                + "), is Java " + JDK.feature() + ": "), e.getMessage());
        assertEquals(1, e.exitCode());
    }

    @Test
    void theClassVersionHintNamesAnInstalledJdkThatIsNewEnough() {
        String log = "Error: LinkageError occurred while loading main class com.example.demo.DemoApplication\n"
                + "\tjava.lang.UnsupportedClassVersionError: com/example/demo/DemoApplication has been compiled by a"
                + " more recent version of the Java Runtime (class file version 65.0), this version of the Java Runtime"
                + " only recognizes class file versions up to 61.0\n";
        assertEquals(Optional.of("the training run cannot load com.example.demo.DemoApplication: it is compiled for"
                + " Java 21 (class file version 65) and the runtime, linked from the JDK in $JAVA_HOME or on PATH, is"
                + " Java 17: set build.jdk in slipway.yaml to /usr/lib/jvm/temurin-25-jdk-amd64 (installed here), or run"
                + " slipway with JAVA_HOME set to it"),
                Training.tooOldRuntime(log, null, release -> Optional.of("/usr/lib/jvm/temurin-25-jdk-amd64")));
        assertEquals(Optional.empty(), Training.tooOldRuntime("Exception in thread \"main\" java.lang.IllegalStateException",
                null, release -> Optional.empty()));
    }
}
