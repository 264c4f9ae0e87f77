package dev.slipway.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import dev.slipway.Tools;
import dev.slipway.remote.LocalHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered upstream: exact weights for any instance counts, and a file nginx rejects is put
 * back (checked with the real {@code nginx -t}). The split itself is measured through a real nginx
 * in {@code CanaryEndToEndTest}.
 */
class NginxUpstreamTest {
    private static final Pattern SERVER = Pattern.compile("server (\\S+) weight=(\\d+) max_fails=0( down)?;  # (\\w+)");

    static double canaryShare(String text) {
        Matcher m = SERVER.matcher(text);
        double canary = 0;
        double total = 0;
        while (m.find()) {
            if (m.group(3) != null) {
                continue;
            }
            int w = Integer.parseInt(m.group(2));
            total += w;
            if (m.group(4).equals("canary")) {
                canary += w;
            }
        }
        return 100 * canary / total;
    }

    @Test
    void weightsAreExactWhateverTheInstanceCounts() {
        NginxUpstream u = new NginxUpstream(new LocalHost("local"), "/x", "myapp", "true", "true");
        List<String> three = List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
        List<String> two = List.of("10.0.1.1:80", "10.0.1.2:80");
        for (int w = 1; w < 100; w++) {
            assertEquals(w, canaryShare(u.render(three, two, w, Set.of())), 1e-9, "weight " + w);
            assertEquals(w, canaryShare(u.render(two, List.of("10.0.2.1:80"), w, Set.of())), 1e-9, "weight " + w);
        }
        String zero = u.render(three, two, 0, Set.of());
        assertEquals(2, zero.split(" down;", -1).length - 1, "both canary servers are down at 0 %");
        String all = u.render(three, two, 100, Set.of());
        assertEquals(3, all.split(" down;", -1).length - 1, "the stable servers are down at 100 %");
        String drained = u.render(three, two, 10, Set.of("10.0.0.2:80"));
        assertTrue(drained.contains("server 10.0.0.2:80 weight=6 max_fails=0 down;  # stable"), drained);
        // 10 % with 3 stable, 2 canary: canary 10*3=30, stable 90*2=180, gcd 30 -> 1 and 6
        assertTrue(drained.contains("server 10.0.1.1:80 weight=1 max_fails=0;  # canary"), drained);
        assertThrows(IllegalArgumentException.class, () -> u.render(three, two, 101, Set.of()));
    }

    @Test
    void aFileNginxRejectsIsPutBack(@TempDir Path dir) throws Exception {
        Tools.require("nginx");
        Path conf = dir.resolve("nginx.conf");
        Path upstream = dir.resolve("upstream.conf");
        Files.writeString(conf, "pid " + dir + "/nginx.pid;\nerror_log " + dir + "/error.log;\nevents {}\n"
                + "http { include " + upstream + "; server { listen 127.0.0.1:1; location / { proxy_pass http://myapp; } } }\n");
        String test = "nginx -p " + dir + " -c " + conf + " -t -q";
        try (LocalHost host = new LocalHost("local")) {
            NginxUpstream good = new NginxUpstream(host, upstream.toString(), "myapp", test, "true");
            String first = good.render(List.of("127.0.4.1:8080"), List.of("127.0.4.3:8080"), 10, Set.of());
            good.apply(first);
            assertEquals(first, Files.readString(upstream));
            // an upstream named differently from the one proxy_pass uses: nginx -t fails ("host not found")
            NginxUpstream bad = new NginxUpstream(host, upstream.toString(), "other", test, "true");
            SlipwayException e = assertThrows(SlipwayException.class, () -> bad.apply(
                    bad.render(List.of("127.0.4.1:8080"), List.of("127.0.4.3:8080"), 50, Set.of())));
            assertTrue(e.getMessage().contains("nginx on local rejected the upstream"), e.getMessage());
            assertEquals(first, Files.readString(upstream), "the previous file is back");
        }
    }

    @Test
    void theSplitReadBackIsWhatNginxHasNotWhatWasMeant() {
        NginxUpstream u = new NginxUpstream(null, "/x", "myapp", "true", "true");
        List<String> stable = List.of("127.0.4.1:80", "127.0.4.2:80");
        List<String> canary = List.of("127.0.4.3:80");
        assertEquals("canary 50 % of traffic", NginxUpstream.Split.parse(u.render(stable, canary, 50, Set.of())).toString());
        // a crash during a promotion left one stable instance drained: the canary has 2/3, not 50 %
        NginxUpstream.Split crashed = NginxUpstream.Split.parse(u.render(stable, canary, 50, Set.of("127.0.4.1:80")));
        assertEquals("canary 66.7 % of traffic, stable down: 127.0.4.1:80", crashed.toString());
        assertEquals("canary 0 % of traffic", NginxUpstream.Split.parse(u.render(stable, canary, 0, Set.of())).toString());
        assertEquals(null, NginxUpstream.Split.parse("upstream myapp { server a:1; }"));
    }

    @Test
    void versionsOrderNumericallyWithPreReleasesFirst() {
        assertTrue(Versions.compare("1.0.0", "1.1.0") < 0);
        assertTrue(Versions.compare("1.10.0", "1.9.3") > 0);
        assertTrue(Versions.compare("1.2.0-rc1", "1.2.0") < 0);
        assertTrue(Versions.compare("1.1.1-bad", "1.0.0") > 0);
        assertEquals(0, Versions.compare("v2.0.0", "2.0.0+build5"));
    }
}
