package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Properties;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;

class BuildInfoTest {
    private static final BuildInfo INFO = new BuildInfo("myapp", "1.2.3",
            "0123456789abcdef0123456789abcdef01234567", "0123456", Instant.parse("2026-01-02T03:04:05Z"));

    @Test
    void jarHoldsSpringBootKeysAndIsReproducible() throws Exception {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        INFO.writeJar(a);
        INFO.writeJar(b);
        assertArrayEquals(a.toByteArray(), b.toByteArray());
        Properties p = new Properties();
        try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(a.toByteArray()))) {
            for (var e = jar.getNextJarEntry(); e != null; e = jar.getNextJarEntry()) {
                if (e.getName().equals(BuildInfo.RESOURCE)) {
                    p.load(jar);
                }
            }
        }
        assertEquals("1.2.3", p.getProperty("build.version"));
        assertEquals("2026-01-02T03:04:05Z", p.getProperty("build.time"));
        assertEquals("myapp", p.getProperty("build.name"));
        assertEquals("0123456789abcdef0123456789abcdef01234567", p.getProperty("git.commit.id"));
        assertEquals("0123456", p.getProperty("git.commit.id.abbrev"));
    }

    @Test
    void derivedVersionFollowsGitDescribe() {
        assertEquals("1.4.0", new GitInfo("c", "c", "v1.4.0", false, null).derivedVersion());
        assertEquals("1.4.0-2-gabcdef0-dirty", new GitInfo("c", "c", "v1.4.0-2-gabcdef0-dirty", true, null).derivedVersion());
        assertEquals("0.0.0-abcdef0-dirty", new GitInfo("abcdef0123", "abcdef0", null, true, null).derivedVersion());
        assertEquals("dev", GitInfo.NONE.derivedVersion());
    }
}
