package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildInfoTest {

    @TempDir
    Path tmp;

    private ClassLoader loaderWith(String propertiesText) throws IOException {
        if (propertiesText != null) {
            Path meta = Files.createDirectories(tmp.resolve("META-INF"));
            Files.writeString(meta.resolve("build-info.properties"), propertiesText);
        }
        // parent = null: only the bootstrap loader, so the project's own classpath is not searched
        return new URLClassLoader(new URL[] {tmp.toUri().toURL()}, null);
    }

    @Test
    void presentResourceIsRead() throws IOException {
        String full = "0123456789abcdef0123456789abcdef01234567";
        BuildInfo info = BuildInfo.load(loaderWith(
                "build.version=1.2.3\nbuild.time=2026-01-02T03\\:04\\:05Z\ngit.commit.id=" + full
                        + "\ngit.commit.id.abbrev=0123456\n"));
        assertEquals(new BuildInfo("1.2.3", full, "2026-01-02T03:04:05Z"), info);
        assertEquals("Version:    1.2.3\nGit Commit: " + full + "\nBuild Time: 2026-01-02T03:04:05Z\n", info.format());
    }

    @Test
    void absentResourceGivesDefaults() throws IOException {
        BuildInfo info = BuildInfo.load(loaderWith(null));
        assertEquals(new BuildInfo("dev", "unknown", "unknown"), info);
        assertEquals("Version:    dev\nGit Commit: unknown\nBuild Time: unknown\n", info.format());
    }

    @Test
    void missingOrBlankKeysGiveDefaults() throws IOException {
        BuildInfo info = BuildInfo.load(loaderWith("build.version=2.0.0\nbuild.time=   \n"));
        assertEquals(new BuildInfo("2.0.0", "unknown", "unknown"), info);
    }

    @Test
    void fullCommitFallbackKey() {
        Properties p = new Properties();
        p.setProperty("git.commit.id.full", "abc");
        assertEquals("abc", BuildInfo.fromProperties(p).commit());
    }

    @Test
    void projectClasspathHasNoBuildInfo() {
        // The app jar must not ship META-INF/build-info.properties (Slipway injects it separately).
        assertEquals(null, BuildInfo.class.getClassLoader().getResource(BuildInfo.RESOURCE));
    }
}
