package dev.slipway.deploy.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rendered systemd unit passes systemd-analyze verify; the rendered nginx config passes nginx -t. */
class HostsRenderTest {
    @TempDir
    Path tmp;

    private SlipwayConfig config(String dir, String extra) {
        return ConfigLoader.parse(tmp.resolve("slipway.yaml"), """
                name: api
                service:
                  port: 9000
                  drainTimeout: 20s
                deploy:
                  hosts:
                    dir: %s
                    servers:
                      - {name: a, address: 10.0.0.1}
                      - {name: b, address: 10.0.0.2}
                      - {name: c, address: 127.0.1.13, bind: 127.0.1.13}
                %s""".formatted(dir, extra.indent(4)));
    }

    record Out(int code, String text) {}

    private static Out exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Out(p.exitValue(), text);
    }

    @Test
    void unitHasTheHardeningAndPassesSystemdAnalyzeVerify() throws Exception {
        Path dir = tmp.resolve("srv");
        Files.createDirectories(dir.resolve("current"));
        Path exe = Files.createFile(dir.resolve("current/api"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(exe, "#!/bin/sh\n");
        Files.writeString(dir.resolve("current/env"), "PORT=9000\n");
        SlipwayConfig c = config(dir.toString(), """
                rollout: {drainTimeout: 25s}
                service: {memoryMax: 512M, cpuQuota: 150%, tasksMax: 256, readWritePaths: [/var/tmp]}""");
        String unit = HostUnit.render(c);
        for (String line : List.of("ExecStart=" + dir + "/current/api", "EnvironmentFile=" + dir + "/current/env",
                "ExecReload=/bin/kill -HUP $MAINPID", "KillMode=mixed", "KillSignal=SIGTERM", "TimeoutStopSec=35", "SuccessExitStatus=143",
                "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=strict", "ProtectHome=yes", "ReadWritePaths=/var/tmp",
                "Restart=on-failure", "StartLimitBurst=5", "LimitNOFILE=65536", "MemoryMax=512M", "CPUQuota=150%",
                "TasksMax=256", "DynamicUser=yes")) {
            assertTrue(unit.contains("\n" + line + "\n"), line + " in\n" + unit);
        }
        assertFalse(unit.contains("MemoryDenyWriteExecute"), "the JIT needs W+X memory");
        assertTrue(HostUnit.render(config(dir.toString(), "service: {user: api}")).contains("\nUser=api\n"));

        Tools.require("systemd-analyze");
        Path file = tmp.resolve("units/api.service");
        Files.createDirectories(file.getParent());
        Files.writeString(file, unit);
        Out verify = exec(List.of("systemd-analyze", "verify", file.toString()));
        assertEquals(0, verify.code(), verify.text());
        assertEquals("", verify.text().strip(), "no warnings from systemd-analyze verify");
        // A broken directive is reported, so the check above can fail.
        Files.writeString(file, unit.replace("KillMode=mixed", "KillMode=sometimes"));
        Out bad = exec(List.of("systemd-analyze", "verify", file.toString()));
        assertTrue(bad.text().contains("kill mode"), bad.text());

        Files.writeString(file, unit);
        Out security = exec(List.of("systemd-analyze", "security", "--offline=true", "--no-pager", file.toString()));
        var m = java.util.regex.Pattern.compile("Overall exposure level for api.service: (\\d+\\.\\d+)").matcher(security.text());
        assertTrue(m.find(), security.text());
        assertTrue(Double.parseDouble(m.group(1)) <= 2.5, "exposure " + m.group(1) + " (docs/hosts.md reports 1.7)");
    }

    private Out nginxTest(String conf) throws Exception {
        Tools.require("nginx");
        Path prefix = tmp.resolve("nginx");
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(prefix.resolve("site.conf"), conf);
        Files.writeString(prefix.resolve("nginx.conf"), "error_log " + prefix + "/logs/error.log;\npid " + prefix
                + "/nginx.pid;\nevents {}\nhttp {\n  access_log off;\n  include " + prefix + "/site.conf;\n}\n");
        List<String> cmd = new ArrayList<>(List.of("nginx", "-t", "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString()));
        return exec(cmd);
    }

    @Test
    void nginxConfigHasTheUpstreamHeadersAndHealthLocationAndPassesNginxT() throws Exception {
        String conf = NginxConf.render(config("/opt/slipway/api", "proxy: {listen: 18081}"));
        for (String s : List.of("upstream api_backend {", "server 10.0.0.1:9000", "server 127.0.1.13:9000", "keepalive 32;",
                "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", "proxy_set_header X-Forwarded-Proto $scheme;",
                "proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $api_backend_connection;",
                "proxy_http_version 1.1;", "location = /health/ready {\n        access_log off;",
                "proxy_next_upstream error timeout http_502 http_503 http_504;", "proxy_read_timeout 60s;")) {
            assertTrue(conf.contains(s), s + " in\n" + conf);
        }
        assertFalse(conf.contains("ssl"), conf);
        Out t = nginxTest(conf);
        assertEquals(0, t.code(), t.text());
        assertTrue(t.text().contains("test is successful"), t.text());
        Out bad = nginxTest(conf.replace("keepalive 32;", "keepalive;"));
        assertEquals(1, bad.code(), "nginx -t rejects a broken file, so the check above can fail");
        assertTrue(NginxConf.render(config("/opt/slipway/api", "proxy: {retry: false}")).contains("proxy_next_upstream off;"));
    }

    /**
     * {@code proxy.listen: ADDRESS:PORT} renders nginx's {@code listen ADDRESS:PORT}: the nginx that
     * loads it accepts connections on that address only (on a host with several addresses, or nspawn
     * hosts sharing the loopback), not on another address of the same machine.
     */
    @Test
    void aListenAddressIsRenderedAndNginxListensThereOnly() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String conf = NginxConf.render(config("/opt/slipway/api", "proxy: {listen: \"127.0.0.1:" + port + "\"}"));
        assertTrue(conf.contains("\n    listen 127.0.0.1:" + port + ";\n"), conf);
        String v6 = NginxConf.render(config("/opt/slipway/api", "proxy: {listen: \"[::1]:" + port + "\", tlsListen: \"127.0.0.1:"
                + (port + 1) + "\", certificate: /etc/ssl/a.pem, certificateKey: /etc/ssl/a.key}"));
        assertTrue(v6.contains("\n    listen [::1]:" + port + ";\n"), v6);
        assertTrue(v6.contains("\n    listen 127.0.0.1:" + (port + 1) + " ssl http2;\n"), v6);
        assertTrue(v6.contains("return 301 https://$host:" + (port + 1) + "$request_uri;"), v6);

        Path prefix = tmp.resolve("nginx-listen");
        Process nginx = startNginx(prefix, conf);
        try {
            boolean up = false;
            for (int i = 0; i < 300 && !up && nginx.isAlive(); i++) { // up to 30 s on a loaded machine
                up = connects("127.0.0.1", port);
                if (!up) {
                    Thread.sleep(100);
                }
            }
            assertTrue(up, "nginx does not accept on 127.0.0.1:" + port + ": " + Files.readString(prefix.resolve("logs/stdout"))
                    + Files.readString(prefix.resolve("logs/error.log")));
            assertFalse(connects("127.0.0.2", port), "nginx accepts on another address of the machine too");
        } finally {
            nginx.destroy();
            assertTrue(nginx.waitFor(30, TimeUnit.SECONDS));
        }
    }

    /** Starts nginx in the foreground with {@code conf} as its only site, under {@code prefix} (logs in prefix/logs). */
    private static Process startNginx(Path prefix, String conf) throws Exception {
        Tools.require("nginx");
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(prefix.resolve("site.conf"), conf);
        Files.writeString(prefix.resolve("nginx.conf"), (Tools.root() ? "user root;\n" : "") + "daemon off;\nworker_processes 1;\n"
                + "error_log " + prefix + "/logs/error.log;\npid " + prefix + "/nginx.pid;\nevents {}\nhttp {\n  access_log off;\n"
                + "  include " + prefix + "/site.conf;\n}\n");
        return new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout").toFile()).start();
    }

    private static boolean connects(String address, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(address, port), 2000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * A gRPC service (grpc probes): nginx listens for cleartext HTTP/2 and passes calls with
     * {@code grpc_pass}; a real nginx in front of a real grpc-java server answers the gate's gRPC
     * health check with the server's SERVING.
     */
    @Test
    void aGrpcServiceIsProxiedWithGrpcPassOverCleartextHttp2() throws Exception {
        io.grpc.protobuf.services.HealthStatusManager health = new io.grpc.protobuf.services.HealthStatusManager();
        io.grpc.Server server = io.grpc.Grpc.newServerBuilderForPort(0, io.grpc.InsecureServerCredentials.create())
                .addService(health.getHealthService()).build().start();
        int listen;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            listen = s.getLocalPort();
        }
        String conf = NginxConf.render(ConfigLoader.parse(tmp.resolve("slipway.yaml"), """
                name: greeter
                service: {port: %d, readiness: {type: grpc}}
                deploy:
                  hosts:
                    servers: [{address: 127.0.0.1}]
                    proxy: {listen: "127.0.0.1:%d"}
                """.formatted(server.getPort(), listen)));
        assertTrue(conf.contains("\n    listen 127.0.0.1:" + listen + " http2;\n"), conf);
        assertTrue(conf.contains("grpc_pass grpc://greeter_backend;"), conf);
        assertFalse(conf.contains("proxy_pass"), conf);
        assertTrue(conf.contains("grpc_next_upstream error timeout;"), conf);
        Out t = nginxTest(conf);
        assertEquals(0, t.code(), t.text());

        Path prefix = tmp.resolve("nginx-grpc");
        Process nginx = startNginx(prefix, conf);
        try {
            for (int i = 0; i < 300 && !connects("127.0.0.1", listen) && nginx.isAlive(); i++) { // up to 30 s under load
                Thread.sleep(100);
            }
            dev.slipway.remote.Gate.Verdict v = dev.slipway.remote.Gate.grpcHealthOnce("127.0.0.1", listen, "",
                    java.time.Duration.ofSeconds(10));
            assertTrue(v.ready(), v.describe() + "; " + Files.readString(prefix.resolve("logs/error.log")));
            health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
            assertEquals("gRPC health status NOT_SERVING", dev.slipway.remote.Gate.grpcHealthOnce("127.0.0.1", listen, "",
                    java.time.Duration.ofSeconds(10)).describe(), "the server's own answer, through nginx");
        } finally {
            nginx.destroy();
            assertTrue(nginx.waitFor(30, TimeUnit.SECONDS));
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTcpReadinessHasNoHealthLocationInNginx() {
        SlipwayConfig tcp = ConfigLoader.parse(tmp.resolve("slipway.yaml"), """
                name: api
                service: {port: 9000, readiness: {type: tcp}}
                deploy:
                  hosts:
                    servers: [{address: 10.0.0.1}]
                """);
        String conf = NginxConf.render(tcp);
        assertFalse(conf.contains("location = "), conf);
        assertTrue(conf.contains("location / {"), conf);
    }

    @Test
    void withACertificateNginxServesTlsRedirectsHttpAndSendsHsts() throws Exception {
        Tools.require("openssl");
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Out o = exec(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=api.test",
                "-keyout", key.toString(), "-out", cert.toString()));
        assertEquals(0, o.code(), o.text());
        String conf = NginxConf.render(config("/opt/slipway/api", "proxy: {listen: 18081, tlsListen: 18443, serverName: api.test,"
                + " certificate: " + cert + ", certificateKey: " + key + "}"));
        assertTrue(conf.contains("listen 18443 ssl http2;"), conf);
        assertTrue(conf.contains("return 301 https://$host:18443$request_uri;"), conf);
        assertTrue(conf.contains("add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;"), conf);
        assertTrue(conf.contains("ssl_certificate " + cert + ";"), conf);
        Out t = nginxTest(conf);
        assertEquals(0, t.code(), t.text());
    }
}
