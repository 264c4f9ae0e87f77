package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, security 1: every path whose file goes into a release stays inside the service
 * directory, as written and after resolving symbolic links, refused at its {@code slipway.yaml:LINE:COL}.
 */
class ServicePathsTest {
    @TempDir
    Path tmp;
    Path svc;
    Path yaml;

    @BeforeEach
    void service() throws IOException {
        svc = Files.createDirectories(tmp.resolve("svc"));
        yaml = svc.resolve("slipway.yaml");
        Files.createDirectories(svc.resolve("extra"));
        Files.write(svc.resolve("extra/ok.jar"), new byte[] {1});
        Files.writeString(tmp.resolve("secret.txt"), "secret");
        Files.createDirectories(tmp.resolve("outside-dir"));
        Files.createSymbolicLink(svc.resolve("extra/leak.jar"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(svc.resolve("extra/leak-rel.jar"), Path.of("../../secret.txt"));
        Files.createSymbolicLink(svc.resolve("linked-dir"), tmp.resolve("outside-dir"));
        Files.createSymbolicLink(svc.resolve("extra/fine.jar"), Path.of("ok.jar"));
    }

    private String error(String text) throws IOException {
        Files.writeString(yaml, text);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml));
        assertEquals(2, e.exitCode());
        return e.getMessage().substring(yaml.toString().length() + 1);
    }

    @Test
    void classpathAboveTheServiceDirectoryIsRefusedAtItsLine() throws IOException {
        assertEquals("4:31: '../../../../etc/shadow' must be a path relative to the service directory, inside it",
                error("name: svc\nprofiles:\n  p:\n    classpath: [extra/ok.jar, ../../../../etc/shadow]\n"));
    }

    @Test
    void classpathThroughASymbolicLinkIsRefused() throws IOException {
        assertEquals("4:17: 'extra/leak.jar' resolves through a symbolic link to " + tmp.resolve("secret.txt").toRealPath()
                        + ", outside the service directory; copy the file into the service directory instead",
                error("name: svc\nprofiles:\n  p:\n    classpath: [extra/leak.jar]\n"));
        assertEquals("4:17: 'extra/leak-rel.jar' resolves through a symbolic link to "
                        + tmp.resolve("secret.txt").toRealPath()
                        + ", outside the service directory; copy the file into the service directory instead",
                error("name: svc\nprofiles:\n  p:\n    classpath: [extra/leak-rel.jar]\n"));
    }

    @Test
    void absoluteClasspathIsRefused() throws IOException {
        assertEquals("4:17: '/etc/passwd' is an absolute path; write a path relative to the service directory, inside it",
                error("name: svc\nprofiles:\n  p:\n    classpath: [/etc/passwd]\n"));
    }

    @Test
    void resourcesThroughALinkedDirectoryIsRefused() throws IOException {
        assertEquals("4:16: 'linked-dir' resolves through a symbolic link to " + tmp.resolve("outside-dir").toRealPath()
                        + ", outside the service directory; copy the file into the service directory instead",
                error("name: svc\nprofiles:\n  p:\n    resources: linked-dir\n"));
    }

    @Test
    void buildJarOutsideIsRefusedEvenBeforeItExists() throws IOException {
        assertEquals("3:8: '/etc/passwd' is an absolute path; write a path relative to the service directory, inside it",
                error("name: svc\nbuild:\n  jar: /etc/passwd\n"));
        assertEquals("3:8: '../other/target/x.jar' must be a path relative to the service directory, inside it",
                error("name: svc\nbuild:\n  jar: ../other/target/x.jar\n"));
        assertEquals("3:8: 'linked-dir/x.jar' resolves through a symbolic link to "
                        + tmp.resolve("outside-dir").toRealPath()
                        + ", outside the service directory; copy the file into the service directory instead",
                error("name: svc\nbuild:\n  jar: linked-dir/x.jar\n"));
    }

    @Test
    void archiveFileThroughALinkedDirectoryIsRefused() throws IOException {
        Files.writeString(tmp.resolve("outside-dir/NOTICE"), "n");
        assertEquals("4:13: 'linked-dir/NOTICE' resolves through a symbolic link to "
                        + tmp.resolve("outside-dir/NOTICE").toRealPath()
                        + ", outside the service directory; copy the file into the service directory instead",
                error("name: svc\nrelease:\n  archives:\n    files: [linked-dir/NOTICE]\n"));
    }

    @Test
    void pathsInsideAreAcceptedWithTheirNamesAsWritten() throws IOException {
        Files.writeString(yaml, "name: svc\nbuild:\n  jar: target/svc.jar\nprofiles:\n  p:\n"
                + "    classpath: [extra/fine.jar, extra/../extra/ok.jar]\n    resources: extra\n");
        SlipwayConfig c = ConfigLoader.load(yaml);
        assertEquals(svc.resolve("extra/fine.jar"), c.profiles().get("p").classpath().get(0));
        assertEquals(svc.resolve("extra/ok.jar"), c.profiles().get("p").classpath().get(1));
        assertEquals(svc.resolve("extra"), c.profiles().get("p").resources());
        assertEquals("target/svc.jar", c.build().jar());
    }

    @Test
    void requireInsideChecksAgainOnceTheFileExists() throws IOException {
        Files.createDirectories(svc.resolve("target"));
        Files.createSymbolicLink(svc.resolve("target/svc.jar"), Path.of("/etc/passwd"));
        SlipwayException e = assertThrows(SlipwayException.class,
                () -> ServicePaths.requireInside(svc, Path.of("target/svc.jar"), "build.jar"));
        assertEquals(2, e.exitCode());
        assertEquals("build.jar target/svc.jar resolves through a symbolic link to /etc/passwd, outside the service"
                + " directory " + svc + "; copy the file into the service directory instead", e.getMessage());
        assertEquals(svc.resolve("extra/fine.jar"), ServicePaths.requireInside(svc, Path.of("extra/fine.jar"), "x"));
    }

    /** Issue 20, security 2: links among release.archives.files. */
    @Test
    void archiveFileLinkToOutsideIsRefusedAtItsLine() throws IOException {
        Files.createSymbolicLink(svc.resolve("abs-link"), Path.of("/etc/passwd"));
        assertEquals("4:27: 'abs-link' resolves through a symbolic link to /etc/passwd, outside the service directory;"
                        + " copy the file into the service directory instead",
                error("name: svc\nrelease:\n  archives:\n    files: [README.md, abs-link]\n".replace("README.md", "extra/ok.jar")));
    }

    @Test
    void archiveFileLinkToAFileNotInTheArchiveIsRefused() throws IOException {
        Files.writeString(svc.resolve("guide.md"), "g");
        Files.createSymbolicLink(svc.resolve("docs-link.md"), Path.of("guide.md"));
        assertEquals("4:13: 'docs-link.md' is a symbolic link to guide.md, which is not in the archive (the link would"
                        + " dangle); list guide.md in release.archives.files too",
                error("name: svc\nrelease:\n  archives:\n    files: [docs-link.md]\n"));
        Files.writeString(yaml, "name: svc\nrelease:\n  archives:\n    files: [docs-link.md, guide.md]\n");
        assertEquals(java.util.List.of("docs-link.md", "guide.md"), ConfigLoader.load(yaml).release().archives().files());
    }
}
