package dev.slipway.build;

import static dev.slipway.build.TestJars.all;
import static dev.slipway.build.TestJars.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModuleRules} on jars compiled here and scanned with {@link JarScan}, against the module
 * list of the JDK running the tests (JDK 17: jdk.crypto.ec and jdk.random still exist).
 */
class ModuleRulesTest {
    static final JdkModules JDK = JdkModules.of(Path.of(System.getProperty("java.home")));
    static final int FEATURE = Runtime.version().feature();

    @TempDir
    Path dir;

    private Path jar(TestJars t, String name, String body, Map<String, byte[]> extra, Map<String, String> manifest) throws Exception {
        return t.jar(name, all(t.compile(17, Map.of("x/" + name.replaceAll("\\W", "") + "/C.java",
                "package x." + name.replaceAll("\\W", "") + "; public class C { static Object run(String[] a) throws Exception { "
                        + body + " } }")), extra), manifest);
    }

    private List<ModuleRules.Added> rules(List<Path> app, List<Path> deps, Set<String> found, List<String> jvmOptions)
            throws Exception {
        return ModuleRules.apply(JarScan.of(app), JarScan.of(deps), found, jvmOptions, JDK, FEATURE);
    }

    private List<String> modules(List<Path> app, List<Path> deps, Set<String> found, List<String> jvmOptions) throws Exception {
        return ModuleRules.modules(rules(app, deps, found, jvmOptions));
    }

    @Test
    void zipFileSystemsGetJdkZipfs() throws Exception {
        TestJars t = new TestJars(dir);
        Path calls = jar(t, "quarkus-like.jar", "return java.nio.file.FileSystems.newFileSystem(java.nio.file.Path.of(a[0]));",
                Map.of(), Map.of());
        List<ModuleRules.Added> added = rules(List.of(), List.of(calls), Set.of("java.base"), List.of());
        assertEquals(List.of("jdk.zipfs (zip file systems: quarkus-like.jar calls FileSystems.newFileSystem)"),
                added.stream().map(Object::toString).toList());

        Path jarUrl = jar(t, "jar-url.jar", "return java.nio.file.Paths.get(java.net.URI.create(\"jar:file:\" + a[0] + \"!/x\"));",
                Map.of(), Map.of());
        assertEquals(List.of("jdk.zipfs"), modules(List.of(jarUrl), List.of(), Set.of("java.base"), List.of()));

        Path notAFileSystem = jar(t, "string-path.jar", "System.out.println(\"jar:\" + a[0]); return java.nio.file.Path.of(a[0]);",
                Map.of(), Map.of());
        assertEquals(List.of(), modules(List.of(notAFileSystem), List.of(), Set.of("java.base"), List.of()),
                "a jar: string and Path.of(String) is not a zip file system");
    }

    @Test
    void agentsGetJavaInstrument() throws Exception {
        TestJars t = new TestJars(dir);
        Path agent = jar(t, "agent.jar", "return null;", Map.of(), Map.of("Premain-Class", "x.agentjar.C"));
        assertEquals(List.of("java.instrument (agents: agent.jar has Premain-Class)"),
                rules(List.of(), List.of(agent), Set.of("java.base"), List.of()).stream().map(Object::toString).toList());
        assertEquals(List.of("java.instrument"), modules(List.of(), List.of(), Set.of("java.base"),
                List.of("-javaagent:/opt/otel/opentelemetry-javaagent.jar")));
    }

    @Test
    void tlsGetsTheEcProviderOnJdk17To21() throws Exception {
        TestJars t = new TestJars(dir);
        Path ssl = jar(t, "tls-client.jar", "return javax.net.ssl.SSLContext.getDefault();", Map.of(), Map.of());
        assertEquals(List.of("jdk.crypto.ec (TLS: tls-client.jar uses javax.net.ssl.SSLContext)"),
                rules(List.of(), List.of(ssl), Set.of("java.base"), List.of()).stream().map(Object::toString).toList());
        assertEquals(List.of("jdk.crypto.ec"), modules(List.of(), List.of(), Set.of("java.base", "java.net.http"), List.of()));
        assertEquals(List.of(), ModuleRules.modules(ModuleRules.apply(JarScan.of(List.of()), JarScan.of(List.of(ssl)),
                Set.of("java.base"), List.of(), JDK, 22)), "JDK 22 has SunEC in java.base (JDK-8308398)");
    }

    @Test
    void localeDataWhenTheAppItselfIsLocalised() throws Exception {
        TestJars t = new TestJars(dir);
        Path app = jar(t, "app.jar", "return null;", all(text("messages.properties", "hi=Hello"),
                text("i18n/messages_de.properties", "hi=Hallo")), Map.of());
        Path english = jar(t, "english.jar", "return null;", text("messages_en.properties", "hi=Hello"), Map.of());
        Path library = jar(t, "hibernate-validator.jar", "return null;",
                text("org/hibernate/validator/ValidationMessages_fr.properties", "x=y"), Map.of());
        assertEquals(List.of("jdk.localedata (locales: app.jar has i18n/messages_de.properties)"),
                rules(List.of(app), List.of(library), Set.of("java.base"), List.of()).stream().map(Object::toString).toList());
        assertEquals(List.of(), modules(List.of(english), List.of(library), Set.of("java.base"), List.of()),
                "English is in java.base; a library's translations do not count");
        assertEquals(List.of("jdk.localedata"), modules(List.of(english), List.of(), Set.of("java.base"),
                List.of("-Duser.language=de", "-Duser.country=DE")));
        assertEquals(List.of(), modules(List.of(english), List.of(), Set.of("java.base"), List.of("-Duser.language=en")));
    }

    @Test
    void classesLoadedByNameGetTheirModuleFromTheJdk() throws Exception {
        TestJars t = new TestJars(dir);
        Path netty = jar(t, "netty-common.jar", "return Class.forName(\"sun.misc.Unsafe\");", Map.of(), Map.of());
        Path micrometer = jar(t, "micrometer-core.jar",
                "return Class.forName(\"com.sun.management.OperatingSystemMXBean\");", Map.of(), Map.of());
        Path tools = jar(t, "lombok.jar", "return Class.forName(\"com.sun.tools.javac.api.JavacTool\");", Map.of(), Map.of());
        assertEquals(List.of("jdk.unsupported (by name: netty-common.jar names sun.misc.Unsafe)",
                        "jdk.management (by name: micrometer-core.jar names com.sun.management.OperatingSystemMXBean)"),
                rules(List.of(), List.of(netty, micrometer, tools), Set.of("java.base"), List.of()).stream()
                        .map(Object::toString).toList(), "no jdk.compiler: development tools are never added by name");
        assertEquals(List.of(), modules(List.of(), List.of(netty), Set.of("java.base", "jdk.unsupported"), List.of()),
                "nothing already found is added again");
    }

    @Test
    void jmxRandomAndDns() throws Exception {
        TestJars t = new TestJars(dir);
        assertEquals(List.of("jdk.management.agent", "jdk.management"), modules(List.of(), List.of(),
                Set.of("java.base", "java.management"), List.of("-Dcom.sun.management.jmxremote.port=9010")));
        Path random = jar(t, "random.jar", "return java.util.random.RandomGenerator.getDefault();", Map.of(), Map.of());
        assertEquals(List.of("jdk.random (random generators: random.jar uses RandomGenerator.getDefault)"),
                rules(List.of(random), List.of(), Set.of("java.base"), List.of()).stream().map(Object::toString).toList());
        Path dns = jar(t, "dns.jar", "return new javax.naming.directory.InitialDirContext().getAttributes(\"dns:/\" + a[0]);",
                Map.of(), Map.of());
        assertTrue(modules(List.of(dns), List.of(), Set.of("java.base", "java.naming"), List.of()).contains("jdk.naming.dns"));
    }
}
