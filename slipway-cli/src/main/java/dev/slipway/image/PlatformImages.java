package dev.slipway.image;

import dev.slipway.SlipwayException;
import dev.slipway.build.BuildInfo;
import dev.slipway.build.Builder;
import dev.slipway.build.Platform;
import dev.slipway.build.Training;
import dev.slipway.config.ImageConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.pipeline.NamedStep;
import dev.slipway.util.Tar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Image step: per platform, unpacks the build's archive, and writes its four layers (ordered for
 * cache reuse: system, runtime, dependencies, app), its image config and its manifest into the
 * blobs. The entrypoint is fixed at build time: JDK 17's AppCDS archive is the one the build made
 * ({@link Training#imageOptions}), and descriptor 9 is opened by the entrypoint when the options
 * ask for it.
 */
final class PlatformImages extends NamedStep<ImageContext> {
    PlatformImages() {
        super("layers, config and manifest per platform");
    }

    private static final String PASSWD = "root:x:0:0:root:/root:/sbin/nologin\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n";
    private static final String GROUP = "root:x:0:\nnogroup:x:65534:\n";

    @Override
    public void run(ImageContext c) throws IOException {
        for (ImageBuilder.Source built : c.sources) {
            c.console().progress("  " + built.platform() + " image layers");
            Path tree = c.work.resolve(built.platform().toString());
            extract(built.archive(), tree);
            ImageBuilder.Source s = new ImageBuilder.Source(built.platform(), built.archive(),
                    new dev.slipway.artifact.Artifacts.Launch(built.launch().mainClass(), built.launch().classpath(),
                            Training.imageOptions(built.launch().jvmOptions(), f -> Files.exists(tree.resolve(f))),
                            built.launch().args()));
            c.resolved.add(s);
            List<Layer> layers = layers(c.config(), c.facts, s.platform(), tree, c.blobs);
            OciImage.Descriptor cfg = OciImage.writeConfig(c.blobs, imageConfig(c.config(), c.facts, s, c.annotations), layers);
            c.manifests.put(s.platform(), OciImage.writeManifest(c.blobs, cfg, layers, c.annotations));
            c.sizes.put(s.platform(), new long[] {layers.stream().mapToLong(Layer::size).sum(),
                    layers.stream().mapToLong(Layer::uncompressedSize).sum()});
        }
    }

    /**
     * Unpacks a build's {@code .tar.gz} without its top directory, keeping exec bits and links. The
     * archive is several gzip members (app, then the cached runtime; RFC 1952 2.2), so all are read.
     */
    static void extract(Path archive, Path into) throws IOException {
        try (var tar = Tar.gzipped(archive)) {
            Tar.extract(tar, into, new Tar.Options(true, Tar.Modes.EXECUTABLE));
        } catch (IOException e) {
            throw new IOException(archive + ": " + e.getMessage(), e);
        }
    }

    private static OciImage.Config imageConfig(SlipwayConfig config, ImageBuilder.Facts facts, ImageBuilder.Source s,
                                               Map<String, String> annotations) {
        String home = "/opt/" + facts.name();
        List<String> entrypoint = ImageBuilder.entrypoint(config, home, s.launch());
        Map<String, String> env = ImageBuilder.imageEnv(config, home);
        return new OciImage.Config(s.platform(), facts.time(), config.image().user(),
                config.service().readiness().process() ? 0 : config.service().port(), // a service with no port exposes none
                env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList(), entrypoint, "/data",
                List.of("/data"), annotations, ImageBuilder.healthcheck(config.service().readiness()));
    }

    /**
     * The layers of one platform: system (glibc libraries, certificates, zoneinfo), runtime,
     * dependencies ({@code app/lib}, and the {@code lib/} of a tree shipped whole such as Quarkus'
     * {@code app/quarkus-app/}) when there are any, and app (the rest of {@code app/} and the
     * {@code build.files} in the layout root), under {@code /opt/<name>}.
     */
    static List<Layer> layers(SlipwayConfig config, ImageBuilder.Facts facts, Platform platform, Path tree, Path blobs)
            throws IOException {
        ImageConfig ic = config.image();
        String home = "opt/" + facts.name();
        Layer.Builder system = new Layer.Builder("glibc libraries, CA certificates, zoneinfo");
        system.add(Layer.Entry.data("etc/passwd", PASSWD.getBytes(StandardCharsets.UTF_8)));
        system.add(Layer.Entry.data("etc/group", GROUP.getBytes(StandardCharsets.UTF_8)));
        system.add(Layer.Entry.dir("tmp", 01777, 0, 0));
        byte[] probe = dev.slipway.build.NativeHelpers.binary(dev.slipway.build.NativeHelpers.PROBE, platform, Builder.cacheDir());
        system.add(new Layer.Entry(ImageBuilder.PROBE.substring(1), 'f', null, probe, null, 0755, 0, 0));
        byte[] start = dev.slipway.build.NativeHelpers.binary(dev.slipway.build.NativeHelpers.START, platform, Builder.cacheDir());
        system.add(new Layer.Entry(ImageBuilder.START.substring(1), 'f', null, start, null, 0755, 0, 0));
        String[] user = ic.user().split(":");
        system.add(Layer.Entry.dir("data", 0700, Integer.parseInt(user[0]), Integer.parseInt(user[1])));
        Path root = ic.sysroots().containsKey(platform.toString()) ? ic.sysroots().get(platform.toString())
                : platform.equals(Platform.host()) ? Path.of("/") : null;
        if (root == null) {
            throw SlipwayException.usage("no root to take " + platform + " glibc libraries from: set image.sysroots."
                    + platform + " in " + config.file().getFileName() + " (Debian: apt-get download libc6:"
                    + platform.arch() + " libstdc++6:" + platform.arch() + " libgcc-s1:" + platform.arch() + " zlib1g:"
                    + platform.arch() + ", then dpkg-deb -x each into one directory)");
        }
        for (SharedLibraries.Library lib : SharedLibraries.of(tree.resolve("runtime"), root, platform)) {
            Layer.Entry e = Layer.Entry.file(lib.path(), lib.source());
            system.add(new Layer.Entry(e.path(), 'f', e.source(), null, null, 0755, 0, 0));
        }
        if (ic.certificates()) {
            Path certs = Path.of("/etc/ssl/certs/ca-certificates.crt");
            if (!Files.isRegularFile(certs)) {
                throw SlipwayException.usage(certs + " is missing: install the CA certificates (Debian: ca-certificates)"
                        + " or set image.certificates: false");
            }
            system.add(Layer.Entry.file("etc/ssl/certs/ca-certificates.crt", certs));
        }
        if (ic.zoneinfo()) {
            Path zoneinfo = Path.of("/usr/share/zoneinfo");
            if (!Files.isDirectory(zoneinfo)) {
                throw SlipwayException.usage(zoneinfo + " is missing: install the time zone database (Debian: tzdata)"
                        + " or set image.zoneinfo: false");
            }
            system.addTree(zoneinfo, "usr/share/zoneinfo");
        }
        Layer.Builder runtime = new Layer.Builder("runtime").addTree(tree.resolve("runtime"), home + "/runtime");
        Layer.Builder deps = new Layer.Builder("dependencies");
        if (Files.isDirectory(tree.resolve("app/lib"))) {
            deps.addTree(tree.resolve("app/lib"), home + "/app/lib");
        }
        Layer.Builder app = new Layer.Builder("app");
        try (var s = Files.list(tree.resolve("app"))) {
            for (Path p : s.sorted().toList()) {
                if (!p.getFileName().toString().equals("lib")) {
                    if (Files.isDirectory(p) && Files.isDirectory(p.resolve("lib"))) {
                        // A tree shipped whole (Quarkus' quarkus-app/): its lib/ changes as seldom as app/lib.
                        String at = home + "/app/" + p.getFileName();
                        try (var inner = Files.list(p)) {
                            for (Path q : inner.sorted().toList()) {
                                Layer.Builder into = q.getFileName().toString().equals("lib") ? deps : app;
                                if (Files.isDirectory(q)) {
                                    into.addTree(q, at + "/" + q.getFileName());
                                } else {
                                    into.add(Layer.Entry.file(at + "/" + q.getFileName(), q));
                                }
                            }
                        }
                    } else if (Files.isDirectory(p)) {
                        app.addTree(p, home + "/app/" + p.getFileName());
                    } else {
                        app.add(Layer.Entry.file(home + "/app/" + p.getFileName(), p));
                    }
                }
            }
        }
        // build.files: beside runtime/, app/ and bin/ in the layout root, so at <home>/<path> here too.
        try (var s = Files.list(tree)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (!List.of("runtime", "app", "bin").contains(n)) {
                    if (Files.isDirectory(p)) {
                        app.addTree(p, home + "/" + n);
                    } else {
                        app.add(Layer.Entry.file(home + "/" + n, p));
                    }
                }
            }
        }
        // Every file gets the fixed time of a build's files, the one a trained cache (AOT, AppCDS)
        // recorded of the class path jars, so the JVM takes it; and a new commit reuses the layers
        // that do not change with it. The build time is the config's "created" and history.
        Path cache = Builder.cacheDir().resolve("layers");
        List<Layer> out = new ArrayList<>();
        out.add(system.write(blobs, BuildInfo.FILE_TIME, cache));
        out.add(runtime.write(blobs, BuildInfo.FILE_TIME, cache));
        if (!deps.isEmpty()) {
            out.add(deps.write(blobs, BuildInfo.FILE_TIME, cache));
        }
        out.add(app.write(blobs, BuildInfo.FILE_TIME));
        return out;
    }
}
