package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * The JVM and process gauges are bound by the first scrape, not at start: that scrape already has
 * every binder's series, once, and concurrent first scrapes bind them once.
 */
class MetricsTest {

    /** One series name of each binder: memory, threads, class loading, CPU, uptime, files, GC. */
    private static final List<String> SERIES = List.of("jvm_memory_used_bytes{", "jvm_threads_live_threads{",
            "jvm_classes_loaded_classes{", "system_cpu_count{", "process_uptime_seconds{",
            "process_files_open_files{", "jvm_gc_max_data_size_bytes{");

    private static long count(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void firstScrapeHasTheJvmAndProcessSeries() {
        try (Metrics m = new Metrics("stable")) {
            assertFalse(m.registry().getMeters().stream().anyMatch(x -> x.getId().getName().startsWith("jvm.memory")),
                    "memory gauges are bound at the first scrape, not before");
            m.bindJvmAndProcess();
            String first = m.scrape();
            String second = m.scrape();
            for (String s : SERIES) {
                assertTrue(count(first, s) >= 1, s + " in the first scrape");
                assertEquals(count(first, s), count(second, s), s + " bound once");
            }
            assertTrue(first.contains("process_uptime_seconds{track=\"stable\"}"), "common tag on late-bound series");
        }
    }

    @Test
    void concurrentFirstScrapesBindOnce() throws Exception {
        try (Metrics m = new Metrics("canary")) {
            m.bindJvmAndProcess();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<String>> scrapes = pool.invokeAll(List.of(m::scrape, m::scrape, m::scrape, m::scrape));
                for (Future<String> f : scrapes) {
                    assertEquals(1, count(f.get(), "process_uptime_seconds{"), "one uptime series");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
