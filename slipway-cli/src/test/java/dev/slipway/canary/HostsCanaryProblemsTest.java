package dev.slipway.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.remote.Gate;
import dev.slipway.deploy.hosts.HostsTarget.HostStatus;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The hosts canary's check after an abort ({@link HostsCanaryTarget#problems}): from what the
 * servers report and the upstream file as rendered, without hosts. {@code HostsCanaryTest} runs it
 * on real hosts.
 */
class HostsCanaryProblemsTest {
    static final List<String> STABLE = List.of("web1", "web2");
    static final List<String> CANARY = List.of("web3");
    static final Function<String, String> ADDRESS = n -> "10.0.0." + n.substring(3) + ":8080";
    static final NginxUpstream NGINX = new NginxUpstream(null, "/etc/nginx/conf.d/myapp-upstream.conf", "myapp", "true", "true");
    static final List<String> ALL = List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080");

    static HostStatus ok(String host, String version) {
        return new HostStatus(host, version, "active", new Gate.Verdict(true, 200, "ok", "active", java.time.Duration.ofMillis(3)), Optional.empty(), null);
    }

    static List<String> problems(List<HostStatus> status, String upstream) {
        return HostsCanaryTarget.problems("1.0.0", STABLE, CANARY, ADDRESS, status, upstream, NGINX.path());
    }

    /** The pool after a complete abort: every server rendered as stable, none down. */
    static String pool(Set<String> down) {
        return NGINX.render(ALL, List.of(), 0, down);
    }

    @Test
    void aConvergedAbortHasNoProblems() {
        assertEquals(List.of(), problems(List.of(ok("web1", "1.0.0"), ok("web2", "1.0.0"), ok("web3", "1.0.0")), pool(Set.of())));
        // A canary server that never had the stable release is stopped and stays out of the pool: fine.
        HostStatus stopped = new HostStatus("web3", "1.1.0", "inactive", new Gate.Verdict(false, 0, "refused", "inactive", java.time.Duration.ofMillis(3)),
                Optional.empty(), null);
        assertEquals(List.of(), problems(List.of(ok("web1", "1.0.0"), ok("web2", "1.0.0"), stopped),
                pool(Set.of("10.0.0.3:8080"))));
    }

    @Test
    void aStoppedDrainedStableServerIsNamed() {
        HostStatus web1 = new HostStatus("web1", "1.0.0", "inactive", new Gate.Verdict(false, 0, "connection refused",
                "inactive", java.time.Duration.ofMillis(3)), Optional.empty(), null);
        List<String> p = problems(List.of(web1, ok("web2", "1.0.0"), ok("web3", "1.0.0")), pool(Set.of("10.0.0.1:8080")));
        assertEquals(List.of("stable server web1: its unit is inactive, is not ready (no answer (connection refused); unit"
                + " inactive), gets no traffic (down in the upstream)"), p);
    }

    @Test
    void aStableServerLeftOnTheCanaryReleaseByAnInterruptedPromotionIsNamed() {
        List<String> p = problems(List.of(ok("web1", "1.1.0"), ok("web2", "1.0.0"), ok("web3", "1.0.0")), pool(Set.of()));
        assertEquals(List.of("stable server web1: runs 1.1.0, not 1.0.0"), p);
    }

    @Test
    void aCanaryServerStillOnTheCanaryReleaseIsNamedInOrOutOfThePool() {
        assertEquals(List.of("canary server web3 still runs 1.1.0, not 1.0.0"),
                problems(List.of(ok("web1", "1.0.0"), ok("web2", "1.0.0"), ok("web3", "1.1.0")), pool(Set.of("10.0.0.3:8080"))));
        assertEquals(List.of("canary server web3 (in the upstream): runs 1.1.0, not 1.0.0"),
                problems(List.of(ok("web1", "1.0.0"), ok("web2", "1.0.0"), ok("web3", "1.1.0")), pool(Set.of())));
    }

    @Test
    void canaryTrafficAnUnreadableUpstreamAndAnUnreachableHostAreNamed() {
        List<HostStatus> fine = List.of(ok("web1", "1.0.0"), ok("web2", "1.0.0"), ok("web3", "1.0.0"));
        List<String> p = problems(fine, NGINX.render(List.of(ALL.get(0), ALL.get(1)), List.of(ALL.get(2)), 10, Set.of()));
        assertEquals(List.of("the nginx upstream /etc/nginx/conf.d/myapp-upstream.conf still sends traffic to the canary"
                + " (canary 10 % of traffic)"), p);
        p = problems(fine, null);
        assertTrue(p.get(0).startsWith("the nginx upstream /etc/nginx/conf.d/myapp-upstream.conf is unreadable"), p.toString());
        HostStatus lost = new HostStatus("web2", null, "", null, Optional.empty(), "ssh: connection timed out");
        assertEquals(List.of("stable server web2 cannot be checked: ssh: connection timed out"),
                problems(List.of(ok("web1", "1.0.0"), lost, ok("web3", "1.0.0")), pool(Set.of())));
    }
}
