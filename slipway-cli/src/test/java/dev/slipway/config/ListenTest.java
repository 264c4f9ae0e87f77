package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code listen} values in the shapes of nginx's listen directive, as slipway.yaml gives them. */
class ListenTest {
    @Test
    void acceptsAPortOrAnAddressAndAPortInNginxsShapes() {
        assertEquals(new Listen(null, 8080), Listen.parse("8080"));
        assertEquals(new Listen(null, 8080), Listen.parse("*:8080"));
        assertEquals(new Listen("127.0.1.5", 8080), Listen.parse("127.0.1.5:8080"));
        assertEquals(new Listen("::1", 8080), Listen.parse("[::1]:8080"));
        assertEquals(new Listen("::", 80), Listen.parse("[::]:80"));
        assertEquals(new Listen("localhost", 8080), Listen.parse("localhost:8080"));
        assertEquals("8080", Listen.parse("*:8080").toString());
        assertEquals("127.0.1.5:8080", Listen.parse("127.0.1.5:8080").toString());
        assertEquals("[::1]:8080", Listen.parse("[::1]:8080").toString(), "nginx wants IPv6 in brackets");
        assertEquals("127.0.0.1:80", Listen.parse("80").authority("127.0.0.1"));
        assertEquals("[::1]:80", Listen.parse("[::1]:80").authority("127.0.0.1"));
    }

    @Test
    void rejectsWhatNginxWouldRejectOrWhatIsNoTcpAddress() {
        for (String bad : new String[] {"", "0", "65536", "123456", "::1:8080", "[127.0.0.1]:80", "[::1]", "1.2.3.4",
                "1.2.3.256:80", "host:port", "unix:/run/a.sock", "a b:80", ":80", "[]:80", "-x:80"}) {
            assertThrows(IllegalArgumentException.class, () -> Listen.parse(bad), bad);
        }
    }

    @Test
    void aYamlIntegerAndAStringBothLoadAndRenderIntoNginx() {
        SlipwayConfig c = ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                deploy:
                  hosts:
                    servers: [{address: 10.0.0.1}]
                    proxy: {listen: 18081, tlsListen: "[::1]:18443"}
                """.getBytes(StandardCharsets.UTF_8));
        assertEquals(Listen.port(18081), c.hosts().proxy().listen());
        assertEquals(new Listen("::1", 18443), c.hosts().proxy().tlsListen());
        SlipwayConfig d = ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                deploy:
                  hosts:
                    servers: [{address: 10.0.0.1}]
                """.getBytes(StandardCharsets.UTF_8));
        assertEquals(Listen.port(80), d.hosts().proxy().listen(), "default: port 80 on every address");
        assertTrue(dev.slipway.deploy.hosts.NginxConf.render(d).contains("    listen 80;\n"));
        SlipwayConfig local = ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: api
                deploy:
                  local:
                    proxy: {config: up.conf, listen: 18080}
                """.getBytes(StandardCharsets.UTF_8));
        assertEquals("http://127.0.0.1:18080/", local.local().proxy().url().toString(),
                "a port alone: nginx on every address, reached on loopback");
    }
}
