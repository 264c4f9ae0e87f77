package dev.slipway.build;

import static dev.slipway.build.TestJars.all;
import static dev.slipway.build.TestJars.under;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module choice ({@link Jlink#modules}) with the real jdeps of the JDK running the tests, on
 * jar sets built here that reproduce each way jdeps failed on real dependency graphs: a module
 * descriptor requiring a module that is not shipped (jakarta.transaction requires
 * jakarta.interceptor), multi-release jars, a package split across jars, a native-only jar whose
 * descriptor names a package it lacks (brotli4j's natives), an uber jar with classes in the unnamed
 * package and a versioned descriptor; and a jar reached only through ServiceLoader.
 */
class JlinkModulesTest {
    static final Jdk JDK = Jdk.at(Path.of(System.getProperty("java.home")), "the JDK running the tests");

    @TempDir
    Path dir;

    static SlipwayConfig.Build build(List<String> modules, List<String> exclude, List<String> jvmOptions, boolean detect) {
        return new SlipwayConfig.Build(List.of("true"), null, modules, exclude, jvmOptions, null, Map.of(),
                "slipway-defaults.properties", detect, null, List.of());
    }

    static SlipwayConfig.Build defaults() {
        return build(List.of(), List.of(), List.of(), true);
    }

    /** jdeps as Slipway ran it before: every jar positional and on the class path. */
    private Exec.Result oldWay(List<Path> jars) {
        List<String> cmd = new ArrayList<>(List.of(JDK.tool("jdeps").toString(), "--print-module-deps", "--ignore-missing-deps",
                "-q", "--multi-release", String.valueOf(JDK.feature()), "--class-path",
                String.join(":", jars.stream().map(Path::toString).toList())));
        jars.forEach(j -> cmd.add(j.toString()));
        return Exec.run(cmd, dir, Duration.ofMinutes(2));
    }

    private Path app(TestJars t, String body, String... cp) throws Exception {
        Map<String, byte[]> classes = t.compile(17, Map.of("app/Main.java",
                "package app; public class Main { public static void main(String[] a) throws Exception { " + body + " } }"),
                cp.length == 0 ? new String[0] : new String[] {"-cp", String.join(":", cp)});
        return t.jar("app.jar", classes, Map.of("Main-Class", "app.Main"));
    }

    @Test
    void aDescriptorRequiringAnAbsentModuleNoLongerStopsJdeps() throws Exception {
        TestJars t = new TestJars(dir);
        t.compile(17, Map.of("module-info.java", "module jakarta.interceptor { exports jakarta.interceptor; }",
                "jakarta/interceptor/Interceptor.java", "package jakarta.interceptor; public @interface Interceptor {}"));
        Path interceptor = t.lastClasses();
        Path tx = t.jar("jakarta.transaction-api.jar", t.compile(17, Map.of(
                "module-info.java", "module jakarta.transaction { requires jakarta.interceptor; requires java.sql;"
                        + " exports jakarta.transaction; }",
                "jakarta/transaction/TransactionManager.java", "package jakarta.transaction;"
                        + " @jakarta.interceptor.Interceptor public interface TransactionManager {"
                        + " java.sql.Connection connection(); }"),
                "--module-path", interceptor.toString()), Map.of());
        Path app = app(t, "jakarta.transaction.TransactionManager m = null; java.util.logging.Logger.getGlobal();",
                tx.toString());

        Exec.Result before = oldWay(List.of(app, tx));
        assertTrue(before.cause().contains("FindException: Module jakarta.interceptor not found, required by jakarta.transaction"),
                before.output());

        Jlink.ModuleSet set = Jlink.modules(JDK, List.of(app), List.of(tx), defaults());
        assertEquals(List.of("java.base", "java.logging", "java.sql"), set.modules());
        assertTrue(set.notes().stream().noneMatch(n -> n.contains("warning")), set.notes().toString());
    }

    @Test
    void multiReleaseJarsAreReadForTheTargetRelease() throws Exception {
        TestJars t = new TestJars(dir);
        Map<String, byte[]> base = t.compile(8, Map.of("mr/Client.java", "package mr; public class Client {"
                + " public static Object get() { return null; } }"));
        Map<String, byte[]> v11 = t.compile(11, Map.of("mr/Client.java", "package mr; public class Client {"
                + " public static Object get() { return java.net.http.HttpClient.newHttpClient(); } }"));
        t.compile(11, Map.of("module-info.java", "module absent.thing { }"));
        Path absent = t.lastClasses();
        Map<String, byte[]> descriptor = t.compile(11, Map.of("module-info.java",
                "module mr { requires java.net.http; requires absent.thing; exports mr; }",
                "mr/Client.java", "package mr; public class Client { }"), "--module-path", absent.toString());
        descriptor.remove("mr/Client.class");
        // A modular multi-release jar (descriptor under META-INF/versions/9, like Jackson's) ...
        Path modular = t.jar("mr-modular.jar", all(base, under("META-INF/versions/9/", descriptor),
                under("META-INF/versions/11/", v11)), Map.of("Multi-Release", "true"));
        // ... and a plain one whose Java 11 classes use java.prefs.
        Path plain = t.jar("mr-plain.jar", all(
                t.compile(8, Map.of("mp/Prefs.java", "package mp; public class Prefs { }")),
                under("META-INF/versions/11/", t.compile(11, Map.of("mp/Prefs.java", "package mp; public class Prefs {"
                        + " static Object p() { return java.util.prefs.Preferences.userRoot(); } }")))),
                Map.of("Multi-Release", "true"));
        Path app = app(t, "System.out.println(mr.Client.get()); new mp.Prefs();", modular.toString(), plain.toString());

        assertTrue(oldWay(List.of(app, modular, plain)).cause().contains("Module absent.thing not found"));
        Jlink.ModuleSet set = Jlink.modules(JDK, List.of(app), List.of(modular, plain), defaults());
        assertTrue(set.modules().containsAll(List.of("java.net.http", "java.prefs")), set.modules().toString());
    }

    @Test
    void aPackageSplitAcrossJarsIsAnalysedInBoth() throws Exception {
        TestJars t = new TestJars(dir);
        Path one = t.jar("split-one.jar", t.compile(17, Map.of("module-info.java", "module split.one { requires java.logging; exports p; }",
                "p/A.java", "package p; public class A { public static Object x() { return java.util.logging.Logger.getGlobal(); } }")),
                Map.of());
        Path two = t.jar("split-two.jar", t.compile(17, Map.of("p/B.java", "package p; public class B {"
                + " public static Object x() throws Exception { return new javax.naming.InitialContext(); } }")), Map.of());
        Path app = app(t, "p.A.x(); p.B.x();", one.toString(), two.toString());
        Jlink.ModuleSet set = Jlink.modules(JDK, List.of(app), List.of(one, two), defaults());
        assertTrue(set.modules().containsAll(List.of("java.logging", "java.naming")), set.modules().toString());
    }

    @Test
    void aNativeOnlyJarWhoseDescriptorNamesAMissingPackageIsSkipped() throws Exception {
        TestJars t = new TestJars(dir);
        Map<String, byte[]> classes = t.compile(17, Map.of("module-info.java", "module natives.linux.ppc64le {"
                + " exports natives.linux.ppc64le; }", "natives/linux/ppc64le/Native.java",
                "package natives.linux.ppc64le; public class Native { }"));
        classes.remove("natives/linux/ppc64le/Native.class"); // as in brotli4j's native jars: only the library
        Path natives = t.jar("natives-linux-ppc64le.jar", all(classes, TestJars.text("lib/linux-ppc64le/libx.so", "ELF")), Map.of());
        Path app = app(t, "java.util.logging.Logger.getGlobal();");

        assertTrue(oldWay(List.of(app, natives)).cause().contains("Package natives.linux.ppc64le not found in module"));
        assertEquals(List.of("java.base", "java.logging"), Jlink.modules(JDK, List.of(app), List.of(natives), defaults()).modules());
    }

    @Test
    void anUberJarWithTheUnnamedPackageAndAVersionedDescriptorIsAnalysed() throws Exception {
        TestJars t = new TestJars(dir);
        Map<String, byte[]> descriptor = t.compile(11, Map.of("module-info.java", "module shaded.lib { }"));
        Map<String, byte[]> classes = t.compile(17, Map.of("Main.java", "public class Main { public static void main(String[] a)"
                + " { System.out.println(java.lang.management.ManagementFactory.getRuntimeMXBean()); } }"));
        Path uber = t.jar("app-jar-with-dependencies.jar", all(classes, under("META-INF/versions/9/", descriptor)),
                Map.of("Main-Class", "Main", "Multi-Release", "true"));

        assertTrue(oldWay(List.of(uber)).cause().contains("unnamed package not allowed in module"));
        assertTrue(Jlink.modules(JDK, List.of(uber), List.of(), defaults()).modules().contains("java.management"));
    }

    @Test
    void aJarReachedOnlyThroughServiceLoaderStillCounts() throws Exception {
        TestJars t = new TestJars(dir);
        Path driver = t.jar("driver.jar", all(t.compile(17, Map.of("drv/Driver.java", "package drv; public class Driver"
                        + " implements java.util.function.Supplier<Object> { public Object get() {"
                        + " return java.util.prefs.Preferences.systemRoot(); } }")),
                TestJars.text("META-INF/services/java.util.function.Supplier", "drv.Driver\n")), Map.of());
        Path app = app(t, "java.util.ServiceLoader.load(java.util.function.Supplier.class).forEach(s -> s.get());");
        assertTrue(Jlink.modules(JDK, List.of(app), List.of(driver), defaults()).modules().contains("java.prefs"));
    }

    @Test
    void aJarUsingZipFileSystemsGetsJdkZipfsByRuleAndTheNoteSaysWhy() throws Exception {
        TestJars t = new TestJars(dir);
        Path app = app(t, "java.nio.file.FileSystems.newFileSystem(java.nio.file.Path.of(a[0]));");
        Jlink.ModuleSet set = Jlink.modules(JDK, List.of(app), List.of(), defaults());
        assertEquals(List.of("java.base", "jdk.zipfs"), set.modules(), "jdeps alone finds java.base only");
        assertEquals(List.of("module rule: jdk.zipfs (zip file systems: app.jar calls FileSystems.newFileSystem)"), set.notes());
    }

    @Test
    void whenJdepsStillFailsAWiderSetIsLinkedWithAWarningNamingTheCause() throws Exception {
        TestJars t = new TestJars(dir);
        Path app = app(t, "java.util.logging.Logger.getGlobal();");
        Path broken = dir.resolve("broken.jar"); // e.g. a Git LFS pointer committed in place of the jar
        Files.writeString(broken, "version https://git-lfs.invalid/spec/v1\noid sha256:0\nsize 1\n");

        Jlink.ModuleSet set = Jlink.modules(JDK, List.of(app), List.of(broken), defaults());
        assertTrue(set.modules().containsAll(List.of("java.se", "jdk.zipfs", "jdk.crypto.ec", "jdk.unsupported",
                "jdk.localedata", "java.base")), set.modules().toString());
        assertFalse(set.modules().contains("jdk.compiler"), "no development tools");
        String notes = String.join("\n", set.notes());
        assertTrue(notes.startsWith("warning: jdeps could not list the modules the app needs:\n"
                + "  java.io.UncheckedIOException: java.util.zip.ZipException: zip END header not found"), notes);
        assertTrue(notes.contains("not readable as jars (zip files): " + broken), notes);
        assertTrue(notes.contains("linking a wider set instead: java.se,"), notes);
    }

    @Test
    void detectModulesFalseLinksExactlyTheConfiguredModules() throws Exception {
        TestJars t = new TestJars(dir);
        Path app = app(t, "java.nio.file.FileSystems.newFileSystem(java.nio.file.Path.of(a[0]));"
                + " java.util.logging.Logger.getGlobal();");
        Jlink.ModuleSet set = Jlink.modules(JDK, List.of(app), List.of(),
                build(List.of("java.logging", "jdk.httpserver"), List.of(), List.of(), false));
        assertEquals(List.of("java.base", "java.logging", "jdk.httpserver"), set.modules(), "no jdeps, no rules (no jdk.zipfs)");
        assertEquals(List.of("build.detectModules is false: linking exactly build.modules (jdeps and the module rules do not run)"),
                set.notes());
    }

    @Test
    void extraAndExcludedModulesAndAMisspeltOne() throws Exception {
        TestJars t = new TestJars(dir);
        Path app = app(t, "java.util.logging.Logger.getGlobal(); java.sql.DriverManager.getDrivers();");
        Jlink.ModuleSet set = Jlink.modules(JDK, List.of(app), List.of(),
                build(List.of("jdk.httpserver"), List.of("java.sql"), List.of(), true));
        assertEquals(List.of("java.base", "java.logging", "jdk.httpserver"), set.modules());
        assertTrue(set.notes().contains("left out java.sql (build.excludeModules)"), set.notes().toString());

        SlipwayException e = assertThrows(SlipwayException.class, () -> Jlink.modules(JDK, List.of(app), List.of(),
                build(List.of("jdk.zipf"), List.of(), List.of(), true)));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith("build.modules names jdk.zipf, which the JDK " + JDK.version()), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean jdk.zipfs?"), e.getMessage());
    }
}
