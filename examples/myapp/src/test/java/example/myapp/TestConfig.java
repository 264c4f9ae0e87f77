package example.myapp;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Configurations for in-process tests: loopback, any free port, 5 s drain. */
final class TestConfig {
    private TestConfig() {
    }

    static Config local(Path dataDir, String... extraEnv) {
        Map<String, String> env = new HashMap<>();
        env.put("ADDR", "127.0.0.1");
        env.put("PORT", "0");
        env.put("DRAIN_TIMEOUT", "5");
        env.put("DATA_DIR", dataDir.toString());
        for (int i = 0; i + 1 < extraEnv.length; i += 2) {
            env.put(extraEnv[i], extraEnv[i + 1]);
        }
        return Config.parse(env, new String[0], null);
    }
}
