package io.stowage.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes example in {@code deploy/kubernetes} is configuration like any other: its
 * {@code registry.yaml} and the container's {@code REGISTRY_*} variables must load through the
 * registry's own loader, name only keys that exist, and agree with the pod around them (the port,
 * the probes, the mounted paths, the grace period). No cluster is needed to catch a drift.
 */
class DeployManifestTest {
    private static final Path DEPLOY = Path.of("..", "deploy", "kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path temp;

    @Test
    void everyResourceTheKustomizationListsExistsAndIsAKubernetesObject() throws Exception {
        JsonNode kustomization = YAML.readTree(DEPLOY.resolve("kustomization.yaml").toFile());
        assertTrue(kustomization.path("resources").size() > 0);
        for (JsonNode resource : kustomization.path("resources")) {
            for (JsonNode object : documents(DEPLOY.resolve(resource.asText()))) {
                assertTrue(object.hasNonNull("apiVersion") && object.hasNonNull("kind")
                        && object.path("metadata").hasNonNull("name"), resource.asText() + ": " + object);
            }
        }
    }

    @Test
    void theConfigurationLoadsAndAgreesWithThePod() throws Exception {
        JsonNode configMap = only("configmap.yaml", "ConfigMap");
        JsonNode statefulSet = only("statefulset.yaml", "StatefulSet");
        JsonNode pod = statefulSet.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);

        Path file = temp.resolve("registry.yaml");
        Files.writeString(file, configMap.path("data").path("registry.yaml").asText());
        Map<String, String> env = new HashMap<>();
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            if (variable.has("value")) {
                env.put(name, variable.path("value").asText());
            } else if (variable.path("valueFrom").has("fieldRef")) {
                env.put(name, "stowage-0"); // metadata.name of the first pod
            } else {
                env.put(name, "secret-from-" + variable.path("valueFrom").path("secretKeyRef").path("key").asText());
            }
        }
        ConfigLoader loader = new ConfigLoader();
        assertEquals(List.of(), loader.unknownVariables(env), "every REGISTRY_* variable of the pod sets a key");
        // The loader reads the database password file: stand in for the mounted secret.
        String passwordFile = YAML.readTree(file.toFile()).path("metadata").path("postgres").path("passwordFile").asText();
        Path password = Files.writeString(temp.resolve("postgres-password"), "secret\n");
        RegistryConfig config = loader.load(file, env, Map.of("metadata.postgres.passwordFile", password.toString()));

        assertEquals("s3", config.storage.backend);
        assertTrue(config.metadata.usesPostgres());
        assertEquals("secret-from-s3-secret-key", config.storage.s3.secretKey, "secrets reach the config from the environment");

        int port = ListenAddress.parse(config.http.addr).port();
        assertEquals(port, container.path("ports").get(0).path("containerPort").asInt(), "the listener is the container port");
        assertEquals("/readyz", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/healthz", container.path("livenessProbe").path("httpGet").path("path").asText());
        assertTrue(pod.path("terminationGracePeriodSeconds").asLong() > config.http.shutdownGrace.toSeconds(),
                "the pod is killed only after the registry's own shutdown grace");

        List<String> mounts = new ArrayList<>();
        container.path("volumeMounts").forEach(mount -> mounts.add(mount.path("mountPath").asText()));
        List<String> paths = new ArrayList<>(List.of(config.storage.dataDir, config.storage.s3.spoolDir,
                config.audit.dir, config.auth.htpasswdFile, config.auth.policyFile, config.auth.token.keyFile,
                passwordFile));
        List<String> args = new ArrayList<>();
        container.path("args").forEach(arg -> args.add(arg.asText()));
        paths.add(args.get(args.indexOf("--config") + 1));
        for (String path : paths) {
            assertTrue(mounts.stream().anyMatch(mount -> path.equals(mount) || path.startsWith(mount + "/")),
                    path + " is on a mounted volume, not the read-only root file system " + mounts);
        }
    }

    private static JsonNode only(String file, String kind) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode object : documents(DEPLOY.resolve(file))) {
            if (kind.equals(object.path("kind").asText())) {
                found.add(object);
            }
        }
        assertEquals(1, found.size(), kind + " in " + file);
        return found.get(0);
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            var values = YAML.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode document = values.next();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }
}
