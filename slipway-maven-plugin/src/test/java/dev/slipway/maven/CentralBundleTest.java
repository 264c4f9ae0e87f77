package dev.slipway.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code release-bundle} profile of the root POM, run without network on a copy of this repository
 * whose version is a release version, signing with a throw-away gpg key made here in a temporary
 * GNUPGHOME. The bundle is checked against Central's published requirements
 * (https://central.sonatype.org/publish/requirements/): per published module the POM, and for jar
 * modules the jar, sources and javadoc jars; for each file a {@code .asc} that {@code gpg --verify}
 * accepts, and {@code .md5}/{@code .sha1} (plus {@code .sha256}/{@code .sha512}) that match (none
 * for the signatures); POMs
 * with name, description, url, licenses, developers and scm; no SNAPSHOT, nothing else.
 */
class CentralBundleTest {
    static final String VERSION = "0.1.0";
    /** The home and git repository the test publishes from: the reserved .example domain (RFC 2606), no real host. */
    static final String HOME = "https://slipway.example/";
    static final String GIT = "https://slipway.example/slipway.git";

    @TempDir
    Path tmp;

    Path gnupg;

    @AfterEach
    void stopAgent() throws Exception {
        if (gnupg != null) {
            run(List.of("gpgconf", "--kill", "gpg-agent"), tmp, Map.of("GNUPGHOME", gnupg.toString()), 60);
            deleteTree(gnupg);
        }
    }

    record Proc(int code, String out) {}

    static Proc run(List<String> cmd, Path dir, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile("proc", ".log");
        try {
            pb.redirectOutput(log.toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " ran over " + timeoutSeconds + " s:\n" + Files.readString(log));
            }
            return new Proc(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theProfileWritesASignedBundleWithChecksumsForCliAndPlugin() throws Exception {
        String version = System.getProperty("slipway.version");
        assumeTrue(version != null, "run by Maven (surefire sets slipway.version)");
        boolean ci = "true".equals(System.getenv("CI"));
        if (!onPath("gpg")) {
            assertFalse(ci, "CI=true: gpg is needed (Debian: gnupg)");
            assumeTrue(false, "gpg is not installed");
        }
        Path repo = Path.of(System.getProperty("slipway.repo", "..")).toAbsolutePath().normalize();

        // A throw-away key without passphrase, in a GNUPGHOME of this test only (short path: the agent's socket).
        gnupg = Files.createTempDirectory(Path.of("/tmp"), "gpg");
        Files.setPosixFilePermissions(gnupg, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> gpgEnv = Map.of("GNUPGHOME", gnupg.toString());
        Proc gen = run(List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                "--quick-generate-key", "Slipway bundle test <bundle-test@slipway.invalid>", "ed25519", "sign", "1d"),
                tmp, gpgEnv, 120);
        assertEquals(0, gen.code(), gen.out());
        Proc list = run(List.of("gpg", "--batch", "--with-colons", "--list-secret-keys"), tmp, gpgEnv, 60);
        String fingerprint = list.out().lines().filter(l -> l.startsWith("fpr:")).findFirst()
                .map(l -> l.split(":")[9]).orElse(null);
        assertNotNull(fingerprint, list.out());

        // The sources as a release would have them: the version set, the example (no parent, not published) out.
        Path copy = tmp.resolve("slipway");
        for (String f : List.of("pom.xml", "LICENSE", "slipway-cli/pom.xml", "slipway-maven-plugin/pom.xml")) {
            Files.createDirectories(copy.resolve(f).getParent());
            String text = Files.readString(repo.resolve(f));
            if (f.endsWith("pom.xml")) {
                assertTrue(text.contains("<version>" + version + "</version>"), f);
                text = text.replace("<version>" + version + "</version>", "<version>" + VERSION + "</version>")
                        .replace("<module>examples/myapp</module>", "");
            }
            Files.writeString(copy.resolve(f), text);
        }
        MavenPluginTest.copyTree(repo.resolve("slipway-cli/src/main"), copy.resolve("slipway-cli/src/main"), Set.of());
        MavenPluginTest.copyTree(repo.resolve("slipway-maven-plugin/src/main"), copy.resolve("slipway-maven-plugin/src/main"),
                Set.of());

        // No network: every remote repository is mirrored to a directory that does not exist, so whatever is
        // not in the local repository fails to resolve. (Maven's -o cannot be used: the deploy plugin refuses
        // to run offline even towards a file repository.)
        Path settings = tmp.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <mirrors><mirror><id>central</id><mirrorOf>*</mirrorOf><url>%s</url></mirror></mirrors>
                </settings>
                """.formatted(tmp.resolve("no-network").toUri()));
        // -llr: what the local repository holds counts whichever repository it came from.
        List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-llr", "-s", settings.toString(), "-Prelease-bundle",
                "-Dmaven.test.skip=true",
                "-Dmaven.repo.local=" + System.getProperty("slipway.localRepository"),
                "-Dgpg.homedir=" + gnupg, "-Dgpg.keyname=" + fingerprint, "deploy"));
        // Slipway has no public home yet: until a publisher sets slipway.home and slipway.git, the profile
        // refuses to make a bundle, before building anything.
        Proc unset = run(mvn, copy, gpgEnv, 10 * 60);
        assertTrue(unset.code() != 0 && unset.out().contains("slipway.home and slipway.git must be https:// URLs"),
                tail(unset.out()));
        assertFalse(Files.exists(copy.resolve("target/central-bundle")), "nothing is bundled without them");
        // As a publisher sets them, in the root POM (a name under the reserved .example domain, RFC 2606).
        Path root = copy.resolve("pom.xml");
        String rootPom = Files.readString(root);
        for (String[] p : new String[][] {{"slipway.home", HOME}, {"slipway.git", GIT}}) {
            String empty = "<" + p[0] + "></" + p[0] + ">";
            assertTrue(rootPom.contains(empty), "the root POM leaves " + p[0] + " unset");
            rootPom = rootPom.replace(empty, "<" + p[0] + ">" + p[1] + "</" + p[0] + ">");
        }
        Files.writeString(root, rootPom);
        Proc build = run(mvn, copy, gpgEnv, 20 * 60);
        assertEquals(0, build.code(), tail(build.out()));

        Path bundle = copy.resolve("target/central-bundle");
        Set<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.walk(bundle)) {
            s.filter(Files::isRegularFile).forEach(p -> files.add(bundle.relativize(p).toString()));
        }
        Set<String> expected = new TreeSet<>();
        for (String module : List.of("slipway-parent", "slipway-cli", "slipway-maven-plugin")) {
            String base = "dev/slipway/" + module + "/" + VERSION + "/" + module + "-" + VERSION;
            List<String> main = module.equals("slipway-parent") ? List.of(".pom")
                    : List.of(".pom", ".jar", "-sources.jar", "-javadoc.jar");
            for (String m : main) {
                // Checksums of each file; its signature needs none (Central checks the signed file's).
                for (String sum : List.of("", ".md5", ".sha1", ".sha256", ".sha512", ".asc")) {
                    expected.add(base + m + sum);
                }
            }
        }
        assertEquals(expected, files, "the bundle holds exactly the published files; build log:\n" + tail(build.out()));

        for (String f : files) {
            Path file = bundle.resolve(f);
            for (String[] sum : new String[][] {{".md5", "MD5"}, {".sha1", "SHA-1"}, {".sha256", "SHA-256"},
                {".sha512", "SHA-512"}}) {
                if (f.endsWith(sum[0])) {
                    Path of = bundle.resolve(f.substring(0, f.length() - sum[0].length()));
                    assertEquals(digest(of, sum[1]), Files.readString(file).trim().split("\\s+")[0], f);
                }
            }
            if (f.endsWith(".asc")) {
                Path signed = bundle.resolve(f.substring(0, f.length() - 4));
                Proc verify = run(List.of("gpg", "--batch", "--status-fd", "1", "--verify", file.toString(),
                        signed.toString()), tmp, gpgEnv, 60);
                assertEquals(0, verify.code(), f + ":\n" + verify.out());
                assertTrue(verify.out().contains("[GNUPG:] VALIDSIG " + fingerprint), verify.out());
            }
        }
        // A signature that can fail: the cli jar's signature does not verify the plugin jar.
        String cli = "dev/slipway/slipway-cli/" + VERSION + "/slipway-cli-" + VERSION;
        String plugin = "dev/slipway/slipway-maven-plugin/" + VERSION + "/slipway-maven-plugin-" + VERSION;
        Proc wrong = run(List.of("gpg", "--batch", "--verify", bundle.resolve(cli + ".jar.asc").toString(),
                bundle.resolve(plugin + ".jar").toString()), tmp, gpgEnv, 60);
        assertTrue(wrong.code() != 0, wrong.out());

        // What Central reads from the POMs (the modules inherit url, licenses, developers and scm from the parent).
        String parentPom = Files.readString(bundle.resolve("dev/slipway/slipway-parent/" + VERSION + "/slipway-parent-"
                + VERSION + ".pom"));
        for (String tag : List.of("<name>", "<description>", "<url>", "<licenses>", "<license>", "Apache-2.0",
                "<developers>", "<scm", "</scm>", "<connection>", "<developerConnection>")) {
            assertTrue(parentPom.contains(tag), "parent POM lacks " + tag);
        }
        // url and scm name the home the publisher set, through the properties the published POM defines.
        assertTrue(parentPom.contains("<slipway.home>" + HOME + "</slipway.home>")
                && parentPom.contains("<slipway.git>" + GIT + "</slipway.git>")
                && parentPom.contains("<url>${slipway.home}</url>")
                && parentPom.contains("<connection>scm:git:${slipway.git}</connection>"), parentPom);
        for (String module : List.of(cli, plugin)) {
            String pom = Files.readString(bundle.resolve(module + ".pom"));
            assertTrue(pom.contains("<name>") && pom.contains("<description>") && pom.contains("<artifactId>slipway-parent<"),
                    module);
            assertFalse(pom.contains("SNAPSHOT"), module);
        }
        // The jars are what they say: classes, sources, rendered javadoc; the plugin jar has its descriptor.
        assertTrue(entries(bundle.resolve(cli + ".jar")).contains("dev/slipway/cli/SlipwayCli.class"));
        assertTrue(entries(bundle.resolve(cli + "-sources.jar")).contains("dev/slipway/cli/SlipwayCli.java"));
        assertTrue(entries(bundle.resolve(cli + "-javadoc.jar")).contains("dev/slipway/cli/SlipwayCli.html"));
        assertTrue(entries(bundle.resolve(plugin + ".jar")).contains("META-INF/maven/plugin.xml"));
        assertTrue(entries(bundle.resolve(plugin + "-javadoc.jar")).contains("index.html"));
        assertFalse(Files.exists(Path.of(System.getProperty("slipway.localRepository"), "dev/slipway/slipway-cli", VERSION)),
                "the profile installs nothing into the local repository");
    }

    static Set<String> entries(Path jar) throws IOException {
        Set<String> out = new TreeSet<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            z.stream().forEach(e -> out.add(e.getName()));
        }
        return out;
    }

    static String digest(Path file, String algorithm) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(Files.readAllBytes(file)));
    }

    static String tail(String s) {
        return s.length() > 8000 ? s.substring(s.length() - 8000) : s;
    }

    static void deleteTree(Path root) throws IOException {
        MavenPluginTest.deleteTree(root);
    }
}
