package dev.slipway.deploy.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.Console;
import dev.slipway.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment a local release is installed with (its {@code service.env} file). */
class LocalTargetEnvTest {
    @Test
    void referencesAreExpandedToThisInstancesPortAndAddressAndTheRestIsKept() {
        var config = ConfigLoader.parse(Path.of("/tmp/svc/slipway.yaml"), """
                name: svc
                service:
                  port: 9123
                  env:
                    SERVER_PORT: "${PORT}"
                    SERVER_ADDRESS: "${ADDR}"
                    RAW: "$PORT ${HOME} `x` 'q' \\"d\\""
                deploy:
                  local: {address: 127.0.0.9}
                """);
        LocalTarget t = new LocalTarget(config, new Console(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), false));
        assertEquals(Map.of("SERVER_PORT", "9123", "SERVER_ADDRESS", "127.0.0.9", "RAW", "$PORT ${HOME} `x` 'q' \"d\"",
                "PORT", "9123", "ADDR", "127.0.0.9", "DRAIN_TIMEOUT", "30"), t.serviceEnv());
    }
}
