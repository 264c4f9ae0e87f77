package dev.slipway.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.deploy.History;
import dev.slipway.deploy.Revision;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code slipway status} on the local target names the revision that serves, not the newest one. */
class ServingRevisionTest {
    static Revision e(int revision, String version, String outcome) {
        return new Revision(revision, version, "c0ffee", Instant.EPOCH, outcome, "", "local", "");
    }

    @Test
    void theNewestRevisionThatLeftTheServingReleaseServing() {
        List<Revision> h = List.of(e(1, "1.0.0", History.DEPLOYED), e(2, "2.0.0", History.DEPLOYED),
                e(3, "1.0.0", History.ROLLBACK), e(4, "3.0.0", History.ROLLED_BACK), e(5, "1.0.0+3f2a9c1d", History.ROLLED_BACK));
        // 3.0.0 and a rebuilt 1.0.0 failed their gates and went back: 1.0.0 of revision 3 serves.
        assertEquals(3, LocalDeployTarget.servingRevision(h, "1.0.0", 5));
        assertEquals(2, LocalDeployTarget.servingRevision(h, "2.0.0", 5));
        assertEquals(5, LocalDeployTarget.servingRevision(h, "1.0.0+3f2a9c1d", 5), "never served: the fallback");
        assertEquals(0, LocalDeployTarget.servingRevision(h, null, 0));
    }

    @Test
    void aDeployOfTheReleaseThatServesSaysSoAndWhatItDoes() {
        var same = new dev.slipway.deploy.local.LocalTarget.Detail(null, "1.0.0", "1.0.0", 4242, false, java.time.Duration.ZERO);
        assertEquals(java.util.Optional.of("1.0.0 already serves (pid 4242, same file, environment and probe): this deploy"
                + " starts it again, gated, and records a revision; nothing else changes"), LocalDeployTarget.alreadyServing(same));
        var beside = new dev.slipway.deploy.local.LocalTarget.Detail(null, "1.0.0", "1.0.0", 4242, false, java.time.Duration.ZERO,
                8081, 8080);
        assertEquals(true, LocalDeployTarget.alreadyServing(beside).orElseThrow().contains("beside itself and switches nginx"));
        // Another release, one to install, or nothing running: no such line.
        for (var d : List.of(new dev.slipway.deploy.local.LocalTarget.Detail(null, "2.0.0", "1.0.0", 4242, false, java.time.Duration.ZERO),
                new dev.slipway.deploy.local.LocalTarget.Detail(null, "1.0.0", "1.0.0", 4242, true, java.time.Duration.ZERO),
                new dev.slipway.deploy.local.LocalTarget.Detail(null, "1.0.0", "1.0.0", -1, false, java.time.Duration.ZERO))) {
            assertEquals(java.util.Optional.empty(), LocalDeployTarget.alreadyServing(d), d.toString());
        }
    }
}
