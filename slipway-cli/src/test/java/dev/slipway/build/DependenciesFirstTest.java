package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDK 17-19 class path order that lets the build-time archive cover the dependency jars alone. */
class DependenciesFirstTest {
    private static void jar(Path file, String... entries) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (String e : entries) {
                zip.putNextEntry(new ZipEntry(e));
                if (!e.endsWith("/")) {
                    zip.write(e.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                zip.closeEntry();
            }
        }
    }

    @Test
    void theDependencyJarsGoFirstWhenNoFileIsInBoth(@TempDir Path layout) throws IOException {
        jar(layout.resolve("app/profile.jar"), "META-INF/MANIFEST.MF", "app-defaults.properties");
        jar(layout.resolve("app/app.jar"), "META-INF/MANIFEST.MF", "com/", "com/example/Main.class");
        jar(layout.resolve("app/lib/a.jar"), "META-INF/MANIFEST.MF", "com/", "com/a/A.class");
        jar(layout.resolve("app/lib/b.jar"), "META-INF/MANIFEST.MF", "com/b/B.class");
        var order = DependenciesFirst.order(layout, List.of("app/profile.jar", "app/app.jar", "app/lib/a.jar", "app/lib/b.jar"));
        assertEquals(List.of("app/lib/a.jar", "app/lib/b.jar", "app/profile.jar", "app/app.jar"), order.classpath());
        assertEquals(List.of("app/lib/a.jar", "app/lib/b.jar"), order.archived());
        assertTrue(order.dependenciesOnly());
        assertEquals(Optional.empty(), order.why());
    }

    @Test
    void aFileInAnOwnJarAndADependencyKeepsTheOrderAndTheWholeArchive(@TempDir Path layout) throws IOException {
        jar(layout.resolve("app/app.jar"), "com/example/Main.class", "META-INF/services/org.slf4j.spi.SLF4JServiceProvider");
        jar(layout.resolve("app/lib/a.jar"), "com/a/A.class");
        jar(layout.resolve("app/lib/log.jar"), "META-INF/services/org.slf4j.spi.SLF4JServiceProvider");
        List<String> cp = List.of("app/app.jar", "app/lib/a.jar", "app/lib/log.jar");
        var order = DependenciesFirst.order(layout, cp);
        assertEquals(cp, order.classpath());
        assertEquals(cp, order.archived());
        assertFalse(order.dependenciesOnly());
        assertEquals(Optional.of("META-INF/services/org.slf4j.spi.SLF4JServiceProvider is in both app.jar and log.jar"),
                order.why());
    }

    @Test
    void noDependencyJarOrAnEntryThatIsNoJarKeepsTheOrder(@TempDir Path layout) throws IOException {
        jar(layout.resolve("app/app.jar"), "com/example/Main.class");
        assertFalse(DependenciesFirst.order(layout, List.of("app/app.jar")).dependenciesOnly());
        jar(layout.resolve("app/lib/a.jar"), "com/a/A.class");
        Files.createDirectories(layout.resolve("app/classes"));
        List<String> cp = List.of("app/classes", "app/app.jar", "app/lib/a.jar");
        assertEquals(cp, DependenciesFirst.order(layout, cp).classpath());
        assertFalse(DependenciesFirst.order(layout, cp).dependenciesOnly());
    }
}
