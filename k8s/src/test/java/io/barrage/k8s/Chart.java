package io.barrage.k8s;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.Yaml;

/** Renders the chart with the real Helm and parses every manifest with the fabric8 model. */
final class Chart {

    static final String NAMESPACE = "barrage";

    private Chart() {}

    static Path productionValues() {
        return Repo.chart().resolve("values-production.yaml");
    }

    static Rendered render(UnaryOperator<TemplateCommand> options) {
        TemplateCommand command = new Helm(Repo.chart())
                .template()
                .withName("barrage")
                .withNamespace(NAMESPACE)
                .withKubeVersion("1.31.0");
        String yaml = options.apply(command).call();
        return new Rendered(yaml, parse(yaml));
    }

    static Rendered defaults() {
        return keep("default.yaml", render(c -> c));
    }

    static Rendered production() {
        return keep("production.yaml", render(c -> c.withValuesFile(productionValues())));
    }

    /** Leaves the render in target/helm/ for a human to read when a policy fails. */
    private static Rendered keep(String file, Rendered rendered) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "helm"));
            Files.writeString(dir.resolve(file), rendered.yaml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rendered;
    }

    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> resources = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
                continue;
            }
            Object parsed = Serialization.unmarshal(document);
            if (!(parsed instanceof HasMetadata resource)) {
                throw new AssertionError("not a Kubernetes resource:\n" + document);
            }
            resources.add(resource);
        }
        return resources;
    }

    record Rendered(String yaml, List<HasMetadata> resources) {

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return resources.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
            return all(type).stream()
                    .filter(r -> r.getMetadata().getName().equals(name))
                    .findFirst();
        }

        <T extends HasMetadata> T get(Class<T> type, String name) {
            return find(type, name)
                    .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " rendered"));
        }

        List<HasMetadata> ofKind(String kind) {
            return resources.stream().filter(r -> kind.equals(r.getKind())).toList();
        }

        /** The Spring configuration the chart gives a component (its ConfigMap's application-k8s.yml). */
        @SuppressWarnings("unchecked")
        Map<String, Object> springConfig(String component) {
            String text = get(ConfigMap.class, component).getData().get("application-k8s.yml");
            return (Map<String, Object>) new Yaml().load(text);
        }

        /** A dotted property from a component's Spring configuration, or null. */
        Object property(String component, String dotted) {
            Object node = springConfig(component);
            for (String key : dotted.split("\\.")) {
                if (!(node instanceof Map<?, ?> m)) {
                    return null;
                }
                node = m.get(key);
            }
            return node;
        }
    }
}
