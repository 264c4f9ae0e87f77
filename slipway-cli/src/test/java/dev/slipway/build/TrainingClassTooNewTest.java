package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run of an app whose classes are newer than the runtime (built with a newer JDK than
 * build.jdk, as {@code slipway build --no-compile} after a build on JDK 25 allows, with Spring Boot
 * 4's {@code <java.version>21</java.version>}) says so and names a JDK to set, where it had said to
 * give the service a variable or a database. A real runtime (java.base, linked from the JDK
 * running the tests) refuses a real class whose class file version is one release newer.
 */
class TrainingClassTooNewTest {
    static final Jdk JDK = Jdk.at(Path.of(System.getProperty("java.home")), "the JDK running the tests");

    @TempDir
    Path dir;

    @Test
    void aClassNewerThanTheRuntimeNamesTheJavaReleaseItNeeds() throws Exception {
        Path layout = dir.resolve("layout");
        Files.createDirectories(layout.resolve("app"));
        Exec.Result r = Exec.run(List.of(JDK.tool("jlink").toString(), "--add-modules", "java.base", "--output",
                layout.resolve("runtime").toString()), dir, Duration.ofMinutes(5));
        assertEquals(0, r.exitCode(), r.output());
        TestJars t = new TestJars(dir.resolve("jars"));
        Files.createDirectories(dir.resolve("jars"));
        Map<String, byte[]> classes = new HashMap<>(t.compile(17, Map.of("app/Main.java",
                "package app;\npublic class Main { public static void main(String[] a) { System.out.println(\"hi\"); } }\n")));
        int newer = JDK.feature() + 1;
        byte[] main = classes.get("app/Main.class").clone();
        main[6] = (byte) ((newer + 44) >> 8); // JVMS 4.1: major_version, big-endian, after magic and minor_version
        main[7] = (byte) (newer + 44);
        classes.put("app/Main.class", main);
        Files.copy(t.jar("app.jar", classes, Map.of("Main-Class", "app.Main")), layout.resolve("app/app.jar"));

        SlipwayException e = assertThrows(SlipwayException.class, () -> Training.train(
                ConfigLoader.parse(dir.resolve("slipway.yaml"), "name: t\nbuild:\n  jdk: " + JDK.home()
                        + "\ntrain:\n  urls: []\n  timeout: 2m\n"),
                JDK.feature(), layout, List.of("app/app.jar"), "app.Main",
                new Console(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false)));
        assertTrue(e.getMessage().startsWith("the training run cannot load app.Main: it is compiled for Java " + newer
                + " (class file version " + (newer + 44) + ") and the runtime, linked from build.jdk (" + JDK.home()
                + "), is Java " + JDK.feature() + ": "), e.getMessage());
        assertEquals(1, e.exitCode());
    }

    @Test
    void theHintNamesAnInstalledJdkThatIsNewEnough() {
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
