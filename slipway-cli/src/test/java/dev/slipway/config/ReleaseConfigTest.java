package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The release section: defaults, templates, and the deprecated-key warning. */
class ReleaseConfigTest {
    private static final Path FILE = Path.of("svc/slipway.yaml");

    @Test
    void defaults() {
        SlipwayConfig c = ConfigLoader.parse(FILE, "name: app\n");
        ReleaseConfig r = c.release();
        assertEquals("{name}_{version}_{os}_{arch}", r.archives().nameTemplate().source());
        assertEquals("tar.gz", r.archives().formatFor("linux"));
        assertEquals("zip", r.archives().formatFor("windows"));
        assertEquals("sha256", r.checksum().algorithm());
        assertEquals("{next patch}-SNAPSHOT-{short commit}", r.snapshot().versionTemplate().source());
        assertEquals("desc", r.changelog().sort());
        assertTrue(r.changelog().skipMerges());
        assertNull(r.publish().directory());
        assertNull(r.publish().github());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void templatesExpand() {
        NameTemplate t = NameTemplate.parse("{name}-{version}{snapshot:-snap}.{os}-{arch}.{short commit}",
                ReleaseConfig.ARCHIVE_FIELDS);
        Map<String, String> v = Map.of("name", "a", "version", "1.0", "os", "linux", "arch", "amd64",
                "short commit", "abc1234");
        assertEquals("a-1.0-snap.linux-amd64.abc1234", t.expand(v, true));
        assertEquals("a-1.0.linux-amd64.abc1234", t.expand(v, false));
    }

    @Test
    void deprecatedKeyWorksWithAWarningAtItsLocation() {
        SlipwayConfig c = ConfigLoader.parse(FILE, "name: app\nrelease:\n  snapshot:\n    nameTemplate: '{next minor}-dev'\n");
        assertEquals("{next minor}-dev", c.release().snapshot().versionTemplate().source());
        assertEquals(List.of("svc/slipway.yaml:4:5: warning: 'release.snapshot.nameTemplate' is deprecated;"
                + " use 'versionTemplate' instead"), c.warnings());
    }

    @Test
    void githubAndDirectoryPublishers() {
        SlipwayConfig c = ConfigLoader.parse(FILE, """
                name: app
                release:
                  publish:
                    directory: out/releases
                    github: {owner: acme, repo: app, draft: true}
                """);
        assertEquals(Path.of("svc/out/releases").toAbsolutePath(), c.release().publish().directory());
        assertEquals("https://api.github.com", c.release().publish().github().apiUrl().toString());
        assertTrue(c.release().publish().github().draft());
    }
}
