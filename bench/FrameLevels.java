import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What each frame of a single file's payload weighs and costs at other zstd settings (issue 21's
 * size row): bench/frame-levels.sh runs it on an unpacked layout ({@code runtime/}, {@code app/}).
 *
 * <p>The frames are those the build writes (docs/single-file.md, "Payload format"): the runtime
 * (without {@code lib/server/classes*.jsa} when a startup archive replaces it), the dependency jars
 * ({@code app/lib}), each startup archive ({@code app/app.aot}, {@code app/app.jsa},
 * {@code app/app.built.jsa}) and the rest of {@code app/}. Each is serialised as the payload's
 * records ({@code D}/{@code F}: kind, u16 name length, name, u16 mode, u64 size, bytes; modes all
 * 0644 here, so sizes match the build's frames to within a few hundred bytes) and compressed once
 * per setting with one zstd worker: the bytes are those of the build's two workers (zstd's output
 * depends only on whether workers are used), the CPU is one thread's. CPU is the process's CPU time
 * over the compression, so it is less disturbed by a busy machine than wall time; decoding is the
 * median of three single-thread decodes.
 *
 * <p>Arguments: the layout directory, then settings: {@code LEVEL[:wLOG][:nold][:jLOG]} (window
 * log, default 24 with long-distance matching; {@code nold}: without it; {@code jLOG}: job size).
 * Prints a Markdown table on stdout; each row's CPU is also given against the build's own setting
 * for that frame measured in the same run (level 12 for the runtime and the jars, 9 for the rest;
 * build/Compression).
 */
public final class FrameLevels {
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: FrameLevels LAYOUT [LEVEL[:wLOG][:nold][:jLOG] ...]");
            System.exit(2);
        }
        Path layout = Path.of(args[0]);
        List<String> settings = args.length > 1 ? Arrays.asList(args).subList(1, args.length)
                : List.of("9", "12", "15", "17", "19");
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("Layout %s; load average at start %.2f; one zstd worker per compression%n%n", layout,
                os.getSystemLoadAverage());
        System.out.println("| frame | raw MB | setting | compressed MB | CPU s | CPU ÷ build's | decode ms |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<String, byte[]> frame : frames(layout).entrySet()) {
            String anchor = frame.getKey().equals("runtime") || frame.getKey().equals("app/lib") ? "12" : "9";
            compress(frame.getValue(), anchor); // warms the native library and the JIT; not reported
            double anchorCpu = compress(frame.getValue(), anchor).cpuSeconds;
            for (String s : settings) {
                Result r = compress(frame.getValue(), s);
                System.out.printf("| %s | %.2f | %s | %.3f | %.1f | %.1f× | %.0f |%n", frame.getKey(),
                        frame.getValue().length / 1e6, s, r.bytes / 1e6, r.cpuSeconds,
                        r.cpuSeconds / Math.max(anchorCpu, 1e-3), r.decodeMillis);
            }
        }
    }

    /** One compression: compressed bytes, CPU seconds of the process, median decode milliseconds. */
    record Result(long bytes, double cpuSeconds, double decodeMillis) {}

    static Result compress(byte[] data, String setting) throws IOException {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        String[] parts = setting.split(":");
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 3);
        long cpu0 = os.getProcessCpuTime();
        try (var zstd = new ZstdOutputStreamNoFinalizer(out)) {
            zstd.setLevel(Integer.parseInt(parts[0]));
            int windowLog = 24;
            boolean longMatching = true;
            int jobLog = 0;
            for (String p : Arrays.asList(parts).subList(1, parts.length)) {
                if (p.equals("nold")) {
                    longMatching = false;
                } else if (p.startsWith("w")) {
                    windowLog = Integer.parseInt(p.substring(1));
                } else if (p.startsWith("j")) {
                    jobLog = Integer.parseInt(p.substring(1));
                } else {
                    throw new IllegalArgumentException("unknown part of setting " + setting + ": " + p);
                }
            }
            if (longMatching) {
                zstd.setLong(windowLog);
            } else {
                zstd.setWindowLog(windowLog);
            }
            zstd.setChecksum(true);
            zstd.setWorkers(1);
            if (jobLog > 0) {
                zstd.setJobSize(1 << jobLog);
            }
            zstd.write(data);
        }
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        byte[] compressed = out.toByteArray();
        double[] decodes = new double[3];
        for (int i = 0; i < decodes.length; i++) {
            long t0 = System.nanoTime();
            try (var in = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(compressed))) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            decodes[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(decodes);
        return new Result(compressed.length, cpu, decodes[1]);
    }

    /** The payload's frames of {@code layout}, each as its records, in payload order. */
    static Map<String, byte[]> frames(Path layout) throws IOException {
        boolean archived = Stream.of("app/app.aot", "app/app.jsa", "app/app.built.jsa")
                .anyMatch(f -> Files.isRegularFile(layout.resolve(f)));
        Map<String, List<Path>> members = new LinkedHashMap<>();
        for (Path p : sorted(layout)) {
            String rel = layout.relativize(p).toString();
            String frame;
            if (rel.equals("runtime") || rel.startsWith("runtime/")) {
                if (archived && rel.matches("runtime/lib/server/classes.*\\.jsa")) {
                    continue; // left out when a startup archive replaces it (build/Pack)
                }
                frame = "runtime";
            } else if (rel.equals("app/lib") || rel.startsWith("app/lib/")) {
                frame = "app/lib";
            } else if (rel.equals("app/app.aot") || rel.equals("app/app.jsa") || rel.equals("app/app.built.jsa")) {
                frame = rel;
            } else {
                frame = "app (the rest)";
            }
            members.computeIfAbsent(frame, k -> new ArrayList<>()).add(p);
        }
        Map<String, byte[]> frames = new LinkedHashMap<>();
        for (var e : members.entrySet()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream data = new DataOutputStream(bytes);
            for (Path p : e.getValue()) {
                byte[] name = layout.relativize(p).toString().getBytes(StandardCharsets.UTF_8);
                boolean dir = Files.isDirectory(p);
                data.write(dir ? 'D' : 'F');
                data.writeShort(name.length);
                data.write(name);
                data.writeShort(dir ? 0755 : 0644);
                if (!dir) {
                    data.writeLong(Files.size(p));
                    Files.copy(p, data);
                }
            }
            data.flush();
            frames.put(e.getKey(), bytes.toByteArray());
        }
        return frames;
    }

    private static List<Path> sorted(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root) && !Files.isSymbolicLink(p))
                    .sorted((a, b) -> root.relativize(a).toString().compareTo(root.relativize(b).toString()))
                    .toList();
        }
    }
}
