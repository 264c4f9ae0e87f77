package dev.slipway.image;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.util.RawValue;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import com.google.cloud.tools.jib.registry.RegistryClient;
import com.google.cloud.tools.jib.registry.credentials.DockerConfigCredentialRetriever;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.util.NetworkCause;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pushes an OCI layout's image index to a Docker Registry HTTP API v2 / OCI distribution registry
 * with Jib-core's registry client, which speaks the API and its basic and bearer (token) auth.
 * Slipway hands it the exact bytes of its manifests, so the pushed digests equal the layout's.
 *
 * <p>Blobs the registry already has (HEAD {@code /v2/<name>/blobs/<digest>}) are not uploaded
 * again. Credentials come from {@code SLIPWAY_REGISTRY_USERNAME} and
 * {@code SLIPWAY_REGISTRY_PASSWORD}, else from the docker {@code config.json}
 * ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}, its {@code auths} and
 * credential helpers, as Jib reads it). They are never printed. Plain HTTP is used only for
 * loopback registries ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}), as Docker does.
 */
public final class RegistryPush {
    private static final Pattern REF = Pattern.compile(
            "(?<registry>[^/]+)/(?<repo>[a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?");

    private RegistryPush() {}

    /**
     * A parsed image reference {@code registry[:port]/repository[:tag]}.
     *
     * @param registry the registry host and port
     * @param repository the repository path
     * @param tag      the tag, or {@code null}
     */
    public record Ref(String registry, String repository, String tag) {
        /**
         * Parses a reference. The registry part is required: Slipway does not guess Docker Hub.
         *
         * @throws SlipwayException exit 2 for a malformed reference
         */
        public static Ref parse(String text) {
            Matcher m = REF.matcher(text);
            if (!m.matches() || !(m.group("registry").contains(".") || m.group("registry").contains(":")
                    || m.group("registry").equals("localhost"))) {
                throw SlipwayException.usage("'" + text + "' is not an image reference; write REGISTRY/REPOSITORY[:TAG],"
                        + " e.g. registry.example.com/acme/myapp:1.2.3 or 127.0.0.1:5000/myapp");
            }
            return new Ref(m.group("registry"), m.group("repo"), m.group("tag"));
        }

        @Override
        public String toString() {
            return registry + "/" + repository + (tag == null ? "" : ":" + tag);
        }
    }

    /**
     * What a push did.
     *
     * @param uploaded blobs uploaded
     * @param existing blobs the registry already had
     * @param refs     the pushed references, {@code registry/repo:tag@sha256:...}
     */
    public record Result(int uploaded, int existing, List<String> refs) {}

    /**
     * Pushes the image index {@code index} of a layout and every blob under it, then tags it.
     *
     * @param layout    the OCI layout directory
     * @param index     the image index's descriptor
     * @param manifests the per-platform manifest descriptors
     * @param ref       where to push; its tag is used when {@code tags} is empty
     * @param tags      the tags to set
     * @param env       reads environment variables
     * @param console   progress
     * @return what was pushed
     * @throws SlipwayException exit 2 for a missing credential setup, exit 1 when the registry fails
     */
    public static Result push(Path layout, OciImage.Descriptor index, List<OciImage.Descriptor> manifests, Ref ref,
                              List<String> tags, Function<String, String> env, Console console) {
        Path blobs = layout.resolve("blobs/sha256");
        boolean loopback = loopback(ref.registry());
        FailoverHttpClient http = new FailoverHttpClient(loopback, loopback, e -> { });
        RegistryClient.Factory factory = RegistryClient.factory(EventHandlers.NONE, ref.registry(), ref.repository(), http)
                .setUserAgent("slipway");
        var credential = credential(ref.registry(), env);
        credential.ifPresent(factory::setCredential);
        RegistryClient client = factory.newRegistryClient();
        int uploaded = 0;
        int existing = 0;
        try {
            // A registry without auth (a loopback one in CI) asks for none: basic auth only with a credential.
            if (!client.doPushBearerAuth() && credential.isPresent()) {
                client.configureBasicAuth();
            }
            java.util.LinkedHashSet<String> digests = new java.util.LinkedHashSet<>();
            for (OciImage.Descriptor m : manifests) {
                com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(blobs.resolve(hex(m.digest())).toFile());
                digests.add(doc.get("config").get("digest").asText());
                doc.get("layers").forEach(l -> digests.add(l.get("digest").asText()));
            }
            for (String d : digests) {
                DescriptorDigest digest = DescriptorDigest.fromDigest(d);
                if (client.checkBlob(digest).isPresent()) {
                    existing++;
                } else {
                    client.pushBlob(digest, Blobs.from(blobs.resolve(hex(d))), null, n -> { });
                    uploaded++;
                }
            }
            for (OciImage.Descriptor m : manifests) {
                client.pushManifest(new RawManifest(blobs.resolve(hex(m.digest())), m.mediaType()), m.digest());
            }
            List<String> refs = new java.util.ArrayList<>();
            RawManifest indexDoc = new RawManifest(blobs.resolve(hex(index.digest())), index.mediaType());
            for (String tag : tags.isEmpty() ? List.of(ref.tag() == null ? "latest" : ref.tag()) : tags) {
                DescriptorDigest pushed = client.pushManifest(indexDoc, tag);
                if (!pushed.toString().equals(index.digest())) {
                    throw SlipwayException.failed("the registry computed " + pushed + " for the index, expected "
                            + index.digest());
                }
                refs.add(ref.registry() + "/" + ref.repository() + ":" + tag + "@" + index.digest());
            }
            console.progress("  pushed to " + ref.registry() + "/" + ref.repository() + ": " + uploaded
                    + " blobs uploaded, " + existing + " already there");
            return new Result(uploaded, existing, List.copyOf(refs));
        } catch (RegistryException | IOException e) {
            // Jib's and HttpClient's messages may quote a cause's toString(): the user reads the cause in words.
            throw SlipwayException.failed("push to " + ref.registry() + "/" + ref.repository() + " failed: "
                    + NetworkCause.unreachable(e).map(why -> "cannot reach the registry " + ref.registry() + ": " + why)
                    .orElseGet(() -> NetworkCause.withoutClassNames(java.util.Objects.toString(e.getMessage(),
                            "an I/O error with no message"))), e);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                http.shutDown();
            } catch (IOException ignored) {
                // Nothing left to release.
            }
        }
    }

    /** A manifest whose JSON is exactly the layout's bytes, so its digest does not change. */
    static final class RawManifest implements ManifestTemplate {
        private final String json;
        private final String mediaType;

        RawManifest(Path file, String mediaType) throws IOException {
            this.json = Files.readString(file, StandardCharsets.UTF_8);
            this.mediaType = mediaType;
        }

        @JsonValue
        RawValue raw() {
            return new RawValue(json);
        }

        @Override
        public int getSchemaVersion() {
            return 2;
        }

        @Override
        public String getManifestMediaType() {
            return mediaType;
        }
    }

    /**
     * The credential for a registry: {@code SLIPWAY_REGISTRY_USERNAME}/{@code _PASSWORD}, else the
     * docker config.json entry, else none (anonymous).
     */
    static Optional<Credential> credential(String registry, Function<String, String> env) {
        String user = env.apply("SLIPWAY_REGISTRY_USERNAME");
        String password = env.apply("SLIPWAY_REGISTRY_PASSWORD");
        if (user != null && !user.isEmpty()) {
            if (password == null) {
                throw SlipwayException.usage("SLIPWAY_REGISTRY_USERNAME is set but SLIPWAY_REGISTRY_PASSWORD is not");
            }
            return Optional.of(Credential.from(user, password));
        }
        String dockerConfig = env.apply("DOCKER_CONFIG");
        String home = env.apply("HOME");
        Path file = dockerConfig != null && !dockerConfig.isEmpty() ? Path.of(dockerConfig, "config.json")
                : Path.of(home != null ? home : System.getProperty("user.home"), ".docker", "config.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return DockerConfigCredentialRetriever.create(registry, file).retrieve(e -> { });
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read the registry credentials in " + file + ": " + e.getMessage());
        }
    }

    static boolean loopback(String registry) {
        String host = registry.startsWith("[") ? registry.substring(1, registry.indexOf(']'))
                : registry.contains(":") ? registry.substring(0, registry.lastIndexOf(':')) : registry;
        return host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }
}
