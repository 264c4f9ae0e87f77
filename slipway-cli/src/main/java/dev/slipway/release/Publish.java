package dev.slipway.release;

import dev.slipway.artifact.Artifact;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Release step: hands every artifact and the manifest to each publisher of {@code release.publish}; never for a snapshot. */
final class Publish implements ReleaseStep {
    private final List<Publisher> publishers;

    Publish(List<Publisher> publishers) {
        this.publishers = publishers;
    }

    @Override
    public String describe(ReleaseContext c) {
        return "publish" + (publishers.isEmpty() ? ""
                : " to " + String.join(", ", publishers.stream().map(Publisher::describe).toList()))
                + (c.options().dryRun() ? " (dry run)" : "");
    }

    @Override
    public String skipReason(ReleaseContext c) {
        if (c.snapshot()) {
            return "a snapshot is never published";
        }
        if (c.options().skipPublish()) {
            return "--skip-publish";
        }
        return publishers.isEmpty() ? "no publisher in release.publish" : null;
    }

    @Override
    public void run(ReleaseContext c) throws IOException {
        List<Artifact> all = new ArrayList<>(c.artifacts());
        Path manifest = c.dist().resolve(dev.slipway.artifact.ArtifactsFile.FILE_NAME);
        all.add(Artifact.of(c.serviceDir(), manifest, Artifact.Kind.MANIFEST, null));
        Publisher.Request req = new Publisher.Request(c.serviceDir(), c.dist(), c.config().name(), c.version(),
                c.git().tag(), c.git().commit(), c.changelog(), List.copyOf(all));
        for (Publisher p : publishers) {
            c.console().progress("  " + p.describe());
            p.publish(req, c.options().dryRun(), c.console());
        }
    }
}
