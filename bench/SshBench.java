import dev.slipway.remote.Host;
import dev.slipway.remote.SshHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Times SshHost against one test host: connect (TCP, key exchange, ed25519 login), a command
 * round trip, and an upload of FILE (stream, sha256sum on the host, mv). Run by bench/ssh.sh.
 * Args: ADDRESS KNOWN_HOSTS KEY FILE RUNS. Prints "name median_ms min_ms max_ms" lines.
 */
public class SshBench {
    public static void main(String[] a) throws Exception {
        SshHost.Options o = SshHost.Options.of(a[0]).withKnownHosts(Path.of(a[1])).withIdentities(List.of(Path.of(a[2])))
                .withAgent(null);
        Path file = Path.of(a[3]);
        int runs = Integer.parseInt(a[4]);
        List<Long> connect = new ArrayList<>();
        List<Long> roundTrip = new ArrayList<>();
        List<Long> upload = new ArrayList<>();
        for (int i = 0; i <= runs; i++) { // run 0 warms up the JIT and is not reported
            long t0 = System.nanoTime();
            try (SshHost h = SshHost.connect(o)) {
                long t1 = System.nanoTime();
                h.run("true", Duration.ofSeconds(10));
                long t2 = System.nanoTime();
                h.upload(file, "/tmp/bench-upload", 0755, Host.Progress.NONE);
                long t3 = System.nanoTime();
                if (i > 0) {
                    connect.add((t1 - t0) / 1_000_000);
                    roundTrip.add((t2 - t1) / 1_000_000);
                    upload.add((t3 - t2) / 1_000_000);
                }
            }
        }
        print("connect", connect);
        print("run-true", roundTrip);
        print("upload", upload);
    }

    private static void print(String name, List<Long> ms) {
        List<Long> s = new ArrayList<>(ms);
        Collections.sort(s);
        System.out.println(name + " " + s.get(s.size() / 2) + " " + s.get(0) + " " + s.get(s.size() - 1));
    }
}
