package dev.slipway.deploy.local;

import dev.slipway.SlipwayException;
import dev.slipway.canary.NginxUpstream;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.remote.Host;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * nginx on this machine in front of the local target's instances ({@code deploy.local.proxy}): the
 * upstream file names the one instance that serves, {@code host:port}; switching it is
 * {@link NginxUpstream#apply} (write the file atomically, {@code nginx -t}, {@code nginx -s reload};
 * a configuration nginx rejects is put back). The reload keeps serving the requests in flight:
 * nginx's old workers finish them on the old instance, which is stopped only after
 * {@link #SETTLE}.
 *
 * @param nginx   the upstream file and commands
 * @param address the instances' address ({@code deploy.local.address})
 * @param ports   the two instance ports
 */
public record LocalProxy(NginxUpstream nginx, String address, List<Integer> ports) {
    /**
     * How long the old instance keeps running after the reload before it is sent SIGTERM, so that
     * nginx's old workers have handed their last requests to it (they take no new ones).
     */
    public static final Duration SETTLE = Duration.ofSeconds(1);

    /**
     * @param proxy   the configured proxy
     * @param address the instances' address
     * @param host    this machine
     * @return the proxy
     */
    public static LocalProxy of(SlipwayConfig.Proxy proxy, String address, Host host) {
        return new LocalProxy(new NginxUpstream(host, proxy.config(), proxy.upstream(), proxy.test(), proxy.reload()),
                address, proxy.ports());
    }

    /** @return {@code host:port} of the instance on {@code port}, as the upstream names it */
    public String server(int port) {
        String a = address.equals("0.0.0.0") ? "127.0.0.1" : address.equals("::") ? "::1" : address;
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + port;
    }

    /**
     * @return the instance port the upstream file sends traffic to now (one of {@link #ports}), or
     *         -1 when the file is missing, was not rendered by Slipway, or names another server
     */
    public int live() {
        List<String> serving = NginxUpstream.Split.serving(nginx.current());
        for (int p : ports) {
            if (serving.contains(server(p))) {
                return p;
            }
        }
        return -1;
    }

    /** @return the other instance port */
    public int other(int port) {
        return ports.get(0) == port ? ports.get(1) : ports.get(0);
    }

    /**
     * @param port the instance port
     * @return the upstream file sending all traffic to it
     */
    public String render(int port) {
        String text = nginx.render(List.of(server(port)), List.of(), 0, Set.of());
        return "# Rendered by slipway deploy --to local: the instance that serves. Do not edit.\n"
                + text.substring(text.indexOf('\n') + 1);
    }

    /**
     * Points nginx at the instance on {@code port}: writes the upstream file, tests the configuration,
     * reloads, then waits {@link #SETTLE}. When the test or the reload fails, the file nginx had is
     * put back (and reloaded again, for a failed reload) before the error is thrown.
     *
     * @param port the instance port
     * @throws SlipwayException (exit 1) with nginx's message when the test or the reload fails
     */
    public void switchTo(int port) {
        String before = nginx.current();
        try {
            nginx.apply(render(port));
        } catch (SlipwayException e) {
            if (before != null && !before.equals(render(port))) {
                try {
                    nginx.apply(before);
                } catch (SlipwayException again) {
                    // reported with the first error; the next run rewrites the file
                }
            }
            throw e;
        }
        try {
            Thread.sleep(SETTLE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return how the plan names the switch */
    public String describe(int port) {
        return "point nginx's upstream " + nginx.name() + " (" + nginx.path() + ") at " + server(port) + ", "
                + nginx.test() + ", " + nginx.reload() + " (in-flight requests finish on the old instance)";
    }
}
