package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.impersonationprobe.testing.ConfigProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes manifests under {@code deploy/kubernetes} parse and refer only to what exists: selectors find the
 * pods, ports are ones the containers name, volumes use keys the ConfigMap and Secret hold, and every configuration
 * key and environment variable is one the daemon reads. No cluster is needed; what only a cluster can tell (the
 * image runs, the network plugin enforces the policy) is not claimed here.
 */
class KubernetesManifestsTest {
    static final Path DIR = Path.of("deploy", "kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<Resource> RESOURCES = new ArrayList<>();

    record Resource(String file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        JsonNode spec() {
            return node.path("spec");
        }

        Map<String, String> labels() {
            return strings(node.path("metadata").path("labels"));
        }

        @Override
        public String toString() {
            return kind() + " " + name() + " (" + file + ")";
        }
    }

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (var parser = YAML.getFactory().createParser(file.toFile())) {
                    for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                        JsonNode node = it.next();
                        if (node != null && !node.isEmpty()) {
                            RESOURCES.add(new Resource(file.getFileName().toString(), node));
                        }
                    }
                }
            }
        }
    }

    static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new HashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static List<Resource> all(String kind) {
        return RESOURCES.stream().filter(r -> r.kind().equals(kind)).toList();
    }

    private static Resource one(String kind, String name) {
        return RESOURCES.stream().filter(r -> r.kind().equals(kind) && r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    private static List<Resource> workloads() {
        List<Resource> workloads = new ArrayList<>(all("Deployment"));
        workloads.addAll(all("StatefulSet"));
        return workloads;
    }

    private static JsonNode podSpec(Resource workload) {
        return workload.node().path("spec").path("template").path("spec");
    }

    private static Map<String, String> podLabels(Resource workload) {
        return strings(workload.node().path("spec").path("template").path("metadata").path("labels"));
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    private static Set<String> containerPortNames(Resource workload) {
        Set<String> names = new HashSet<>();
        podSpec(workload).path("containers").forEach(c -> c.path("ports").forEach(p -> names.add(p.path("name").asText())));
        return names;
    }

    /** Files each mount path provides, per workload: the keys (or item paths) of its ConfigMap or Secret volume. */
    private static Map<String, Set<String>> mountedFiles(Resource workload) {
        Map<String, Set<String>> byVolume = new HashMap<>();
        for (JsonNode volume : podSpec(workload).path("volumes")) {
            Set<String> files = new HashSet<>();
            JsonNode source = volume.has("configMap") ? volume.path("configMap") : volume.path("secret");
            if (source.has("items")) {
                source.path("items").forEach(i -> files.add(i.path("path").asText()));
            } else if (volume.has("configMap")) {
                files.addAll(dataKeys(one("ConfigMap", source.path("name").asText())));
            } else if (volume.has("secret")) {
                files.addAll(dataKeys(one("Secret", source.path("secretName").asText())));
            }
            byVolume.put(volume.path("name").asText(), files);
        }
        Map<String, Set<String>> byPath = new HashMap<>();
        for (JsonNode container : podSpec(workload).path("containers")) {
            container.path("volumeMounts").forEach(m -> byPath.put(m.path("mountPath").asText(),
                    byVolume.getOrDefault(m.path("name").asText(), Set.of())));
        }
        return byPath;
    }

    private static Set<String> dataKeys(Resource resource) {
        Set<String> keys = new HashSet<>();
        resource.node().path("data").fieldNames().forEachRemaining(keys::add);
        resource.node().path("stringData").fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        String text = one("ConfigMap", "impersonation-probe-config").node().path("data").path("application.properties").asText();
        assertFalse(text.isBlank(), "the ConfigMap holds application.properties");
        properties.load(new StringReader(text));
        return properties;
    }

    @Test
    void everyFileParsesIntoNamedResources() {
        Set<String> kinds = new HashSet<>();
        for (Resource resource : RESOURCES) {
            assertFalse(resource.node().path("apiVersion").asText().isEmpty(), resource + " has an apiVersion");
            kinds.add(resource.kind());
            if (!resource.kind().equals("Kustomization")) {
                assertFalse(resource.name().isEmpty(), resource + " has a name");
            }
        }
        assertTrue(kinds.containsAll(Set.of("ConfigMap", "Secret", "Service", "Deployment", "StatefulSet",
                "NetworkPolicy", "ServiceMonitor", "Kustomization")), "every kind is there: " + kinds);
    }

    @Test
    void theKustomizationListsExistingFilesAndOneWorkloadButNotThePlaceholderSecret() {
        JsonNode kustomization = all("Kustomization").get(0).node();
        List<String> files = new ArrayList<>();
        kustomization.path("resources").forEach(r -> files.add(r.asText()));
        for (String file : files) {
            assertTrue(Files.isRegularFile(DIR.resolve(file)), file + " exists");
        }
        assertFalse(files.contains("secret.yaml"), "applying the placeholder would overwrite the real credentials");
        assertTrue(files.contains("deployment.yaml") ^ files.contains("statefulset.yaml"), "one workload: " + files);
        String image = podSpec(workloads().get(0)).path("containers").get(0).path("image").asText();
        assertTrue(image.startsWith(kustomization.path("images").get(0).path("name").asText() + ":"),
                "the images entry names the manifests' image " + image);
    }

    @Test
    void workloadsSelectTheirOwnPods() {
        assertEquals(2, workloads().size());
        for (Resource workload : workloads()) {
            Map<String, String> selector = strings(workload.node().path("spec").path("selector").path("matchLabels"));
            assertTrue(selects(selector, podLabels(workload)), workload + ": selector " + selector);
        }
        assertEquals(1, one("Deployment", "impersonation-probe").node().path("spec").path("replicas").asInt(),
                "the Deployment is the single replica");
        assertEquals("Recreate", one("Deployment", "impersonation-probe").node().path("spec").path("strategy")
                .path("type").asText(), "never two pods probing everything at once");
    }

    @Test
    void servicesSelectThePodsAndTheirNamedPorts() {
        for (Resource service : all("Service")) {
            Map<String, String> selector = strings(service.node().path("spec").path("selector"));
            List<Resource> selected = workloads().stream().filter(w -> selects(selector, podLabels(w))).toList();
            assertFalse(selected.isEmpty(), service + " selects pods");
            for (JsonNode port : service.node().path("spec").path("ports")) {
                for (Resource workload : selected) {
                    assertTrue(containerPortNames(workload).contains(port.path("targetPort").asText()),
                            service + " targetPort " + port.path("targetPort") + " is a port of " + workload);
                }
            }
        }
    }

    @Test
    void theServiceMonitorScrapesOneServiceOnAPortItNames() {
        Resource monitor = one("ServiceMonitor", "impersonation-probe");
        Map<String, String> selector = strings(monitor.node().path("spec").path("selector").path("matchLabels"));
        List<Resource> services = all("Service").stream().filter(s -> selects(selector, s.labels())).toList();
        // Two matching Services would scrape every pod twice and double every sum.
        assertEquals(1, services.size(), "exactly one Service is scraped: " + services);
        Set<String> portNames = new HashSet<>();
        services.get(0).node().path("spec").path("ports").forEach(p -> portNames.add(p.path("name").asText()));
        for (JsonNode endpoint : monitor.node().path("spec").path("endpoints")) {
            assertTrue(portNames.contains(endpoint.path("port").asText()), "endpoint port " + endpoint.path("port"));
            assertEquals("/q/metrics", endpoint.path("path").asText());
        }
    }

    @Test
    void theStatefulSetHasAHeadlessGoverningServiceAndKnowsItsReplicaCount() {
        Resource statefulSet = one("StatefulSet", "impersonation-probe");
        Resource service = one("Service", statefulSet.node().path("spec").path("serviceName").asText());
        assertEquals("None", service.node().path("spec").path("clusterIP").asText(), service + " is headless");
        assertTrue(selects(strings(service.node().path("spec").path("selector")), podLabels(statefulSet)));
        int replicas = statefulSet.node().path("spec").path("replicas").asInt();
        assertTrue(replicas > 1, "the example shards");
        String configured = null;
        for (JsonNode env : podSpec(statefulSet).path("containers").get(0).path("env")) {
            if (env.path("name").asText().equals("IMPERSONATION_SHARDING_REPLICAS")) {
                configured = env.path("value").asText();
            }
        }
        assertEquals(Integer.toString(replicas), configured, "IMPERSONATION_SHARDING_REPLICAS equals spec.replicas");
        // The index comes from the pod's host name, so nothing may set it to one value for every pod.
        podSpec(statefulSet).path("containers").get(0).path("env").forEach(env ->
                assertNotEquals("IMPERSONATION_SHARDING_REPLICA_INDEX", env.path("name").asText()));
    }

    @Test
    void volumesUseTheConfigMapAndSecretKeysThatExist() {
        for (Resource workload : workloads()) {
            Set<String> volumes = new HashSet<>();
            for (JsonNode volume : podSpec(workload).path("volumes")) {
                volumes.add(volume.path("name").asText());
                JsonNode source = null;
                Resource target = null;
                if (volume.has("configMap")) {
                    source = volume.path("configMap");
                    target = one("ConfigMap", source.path("name").asText());
                } else if (volume.has("secret")) {
                    source = volume.path("secret");
                    target = one("Secret", source.path("secretName").asText());
                }
                if (source != null) {
                    Set<String> keys = dataKeys(target);
                    for (JsonNode item : source.path("items")) {
                        assertTrue(keys.contains(item.path("key").asText()), workload + ": " + target + " has key "
                                + item.path("key"));
                    }
                }
            }
            // A StatefulSet's claim templates are volumes of its pods too.
            workload.spec().path("volumeClaimTemplates").forEach(c -> volumes.add(c.path("metadata").path("name").asText()));
            for (JsonNode container : podSpec(workload).path("containers")) {
                container.path("volumeMounts").forEach(m -> assertTrue(volumes.contains(m.path("name").asText()),
                        workload + " mounts a volume it has: " + m.path("name")));
            }
        }
    }

    @Test
    void stateSurvivesRestartsOnAWritableVolumeOfItsOwn() {
        for (Resource workload : workloads()) {
            for (JsonNode container : podSpec(workload).path("containers")) {
                String directory = null;
                for (JsonNode env : container.path("env")) {
                    if (env.path("name").asText().equals("IMPERSONATION_STATE_DIRECTORY")) {
                        directory = env.path("value").asText();
                    }
                }
                assertTrue(directory != null, workload + " sets impersonation.state.directory");
                String mountedAt = directory;
                JsonNode mount = null;
                for (JsonNode m : container.path("volumeMounts")) {
                    if (m.path("mountPath").asText().equals(mountedAt)) {
                        mount = m;
                    }
                }
                assertTrue(mount != null, workload + " mounts a volume at the state directory " + directory);
                assertTrue(!mount.path("readOnly").asBoolean(false), workload + ": the state volume is writable");
            }
            if (workload.kind().equals("StatefulSet")) {
                assertEquals(1, workload.spec().path("volumeClaimTemplates").size(),
                        "each shard keeps its state on a volume of its own, through pod moves");
            }
        }
    }

    @Test
    void everyFilePropertyPointsAtAMountedFile() throws IOException {
        Properties properties = applicationProperties();
        int files = 0;
        for (Resource workload : workloads()) {
            Map<String, Set<String>> mounted = mountedFiles(workload);
            for (String key : properties.stringPropertyNames()) {
                if (!key.endsWith("-file")) {
                    continue;
                }
                Path path = Path.of(properties.getProperty(key));
                Set<String> provided = mounted.getOrDefault(path.getParent().toString(), Set.of());
                assertTrue(provided.contains(path.getFileName().toString()),
                        workload + ": " + key + "=" + path + " is a mounted file; mounts: " + mounted);
                files++;
            }
            String workdir = Containerfile.read().workdir();
            assertTrue(mounted.getOrDefault(workdir + "/config", Set.of()).contains("application.properties"),
                    workload + " mounts application.properties in " + workdir + "/config, where Quarkus reads it");
        }
        assertTrue(files >= 6, "the example uses files for the certificate, its password and a mailbox list");
    }

    @Test
    void configurationKeysAndEnvironmentAreOnesTheDaemonReads() throws IOException {
        Properties properties = applicationProperties();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("impersonation.") || key.startsWith("simulator.")) {
                assertTrue(ConfigProperties.known(key), "the daemon reads " + key);
            }
        }
        for (Resource workload : workloads()) {
            for (JsonNode env : podSpec(workload).path("containers").get(0).path("env")) {
                String name = env.path("name").asText();
                if (name.startsWith("IMPERSONATION_") || name.startsWith("SIMULATOR_")) {
                    assertTrue(ConfigProperties.knownEnvironment(name), workload + ": the daemon reads " + name);
                }
            }
        }
    }

    @Test
    void theConfigurationTreeKnowsRealKeysAndRejectsMisspeltOnes() {
        assertTrue(ConfigProperties.known("impersonation.tenants.contoso.auth.client-secret-file"));
        assertTrue(ConfigProperties.known("impersonation.tenants.contoso.ews-url"));
        assertTrue(ConfigProperties.known("impersonation.tenants.t.control-plane.auth.certificate-file"));
        assertTrue(ConfigProperties.known("impersonation.groups.sales.mailboxes"));
        assertTrue(ConfigProperties.known("impersonation.sharding.replica-index"));
        assertTrue(ConfigProperties.known("simulator.tls.key-store"));
        assertFalse(ConfigProperties.known("impersonation.tenants.contoso.auth.client-secert"));
        assertFalse(ConfigProperties.known("impersonation.tenants.contoso.auth"));
        assertFalse(ConfigProperties.known("impersonation.sharding.replica"));
        assertFalse(ConfigProperties.known("impersonation.groups.mailboxes"));
        assertTrue(ConfigProperties.knownEnvironment("IMPERSONATION_SHARDING_REPLICAS"));
        assertTrue(ConfigProperties.knownEnvironment("IMPERSONATION_TENANTS_CONTOSO_AUTH_CLIENT_SECRET"));
        assertFalse(ConfigProperties.knownEnvironment("IMPERSONATION_SHARDING_REPLICA"));
        assertFalse(ConfigProperties.knownEnvironment("IMPERSONATION_TENANTS_CONTOSO_AUTH_SECRET"));
    }

    @Test
    void theNetworkPolicyCoversThePodsAndLetsOnlyMonitoringIn() {
        Resource policy = one("NetworkPolicy", "impersonation-probe");
        JsonNode spec = policy.node().path("spec");
        Map<String, String> selector = strings(spec.path("podSelector").path("matchLabels"));
        for (Resource workload : workloads()) {
            assertTrue(selects(selector, podLabels(workload)), policy + " covers " + workload);
        }
        List<String> types = new ArrayList<>();
        spec.path("policyTypes").forEach(t -> types.add(t.asText()));
        assertEquals(List.of("Ingress", "Egress"), types);
        assertEquals(1, spec.path("ingress").size());
        JsonNode ingress = spec.path("ingress").get(0);
        assertEquals("monitoring", ingress.path("from").get(0).path("namespaceSelector").path("matchLabels")
                .path("kubernetes.io/metadata.name").asText());
        assertEquals(1, ingress.path("ports").size());
        String port = ingress.path("ports").get(0).path("port").asText();
        for (Resource workload : workloads()) {
            assertTrue(containerPortNames(workload).contains(port), "ingress port " + port + " is a port of " + workload);
        }
        Set<String> egressPorts = new HashSet<>();
        spec.path("egress").forEach(e -> e.path("ports").forEach(p ->
                egressPorts.add(p.path("port").asText() + "/" + p.path("protocol").asText())));
        assertEquals(Set.of("53/UDP", "53/TCP", "443/TCP"), egressPorts);
    }

    @Test
    void podsRunUnprivilegedOnAReadOnlyRootWithAWritableTmp() {
        for (Resource workload : workloads()) {
            JsonNode pod = podSpec(workload);
            assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), workload + " runAsNonRoot");
            assertTrue(pod.path("securityContext").path("runAsUser").asInt() > 0, workload + " runAsUser");
            assertEquals("RuntimeDefault", pod.path("securityContext").path("seccompProfile").path("type").asText());
            assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), "no API token");
            for (JsonNode container : pod.path("containers")) {
                JsonNode security = container.path("securityContext");
                assertTrue(security.path("readOnlyRootFilesystem").asBoolean(), workload + " readOnlyRootFilesystem");
                assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true), workload + " no escalation");
                assertEquals("ALL", security.path("capabilities").path("drop").get(0).asText());
                for (String kind : List.of("requests", "limits")) {
                    JsonNode resources = container.path("resources").path(kind);
                    assertTrue(resources.has("cpu") && resources.has("memory"), workload + " " + kind);
                }
                String tmpVolume = null;
                for (JsonNode mount : container.path("volumeMounts")) {
                    if (mount.path("mountPath").asText().equals("/tmp")) {
                        tmpVolume = mount.path("name").asText();
                    }
                }
                assertTrue(tmpVolume != null, workload + " mounts /tmp");
                String name = tmpVolume;
                boolean emptyDir = false;
                for (JsonNode volume : pod.path("volumes")) {
                    emptyDir |= volume.path("name").asText().equals(name) && volume.has("emptyDir");
                }
                assertTrue(emptyDir, workload + ": /tmp is an emptyDir");
            }
        }
    }

    @Test
    void healthProbesUseTheDaemonsEndpointsOnItsPort() {
        Map<String, String> paths = Map.of("livenessProbe", "/q/health/live", "readinessProbe", "/q/health/ready",
                "startupProbe", "/q/health/live");
        for (Resource workload : workloads()) {
            JsonNode container = podSpec(workload).path("containers").get(0);
            for (var probe : paths.entrySet()) {
                JsonNode http = container.path(probe.getKey()).path("httpGet");
                assertEquals(probe.getValue(), http.path("path").asText(), workload + " " + probe.getKey());
                assertTrue(containerPortNames(workload).contains(http.path("port").asText()), workload + " "
                        + probe.getKey() + " port");
            }
            for (JsonNode port : container.path("ports")) {
                assertEquals(Containerfile.read().exposedPort(), port.path("containerPort").asInt(),
                        workload + ": the container port is the one the image exposes");
            }
        }
    }

    @Test
    void theExampleSecretHoldsNoRealCredential() {
        for (Resource secret : all("Secret")) {
            assertFalse(secret.node().has("data"), "no encoded data in " + secret);
            secret.node().path("stringData").forEach(v -> assertTrue(v.asText().startsWith("REPLACE-"),
                    secret + " holds a placeholder, not " + v.asText().length() + " characters of something else"));
        }
    }
}
