package dev.slipway.release;

import dev.slipway.artifact.Artifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Release step: {@code CHANGELOG.md} from the commits since the previous tag, also printed on stdout. */
final class ChangelogStep implements ReleaseStep {
    @Override
    public String describe(ReleaseContext c) {
        String prev = c.git().previousTag();
        return "changelog (" + (prev == null ? "first release: all commits" : "since " + prev) + ")";
    }

    @Override
    public void run(ReleaseContext c) throws IOException {
        Changelog log = Changelog.of(c.serviceDir(), c.git().previousTag(), c.config().release().changelog());
        String md = log.markdown(c.config().name(), c.version());
        Path out = c.dist().resolve("CHANGELOG.md");
        Files.writeString(out, md);
        c.changelog(md);
        c.add(out, Artifact.Kind.CHANGELOG, null);
        c.console().out().print(md);
        c.console().out().flush();
    }
}
