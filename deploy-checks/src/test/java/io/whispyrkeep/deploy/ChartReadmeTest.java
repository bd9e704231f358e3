package io.whispyrkeep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * helm/whispyrkeep/README.md lists every value of values.yaml, and nothing else, so the two cannot
 * drift; each with a description.
 */
class ChartReadmeTest {

  /** Maps whose entries are free-form (labels, annotations, env, resources): one row each. */
  private static final Set<String> FREE_FORM =
      Set.of("namespaceSelector", "podSelector", "annotations", "labels", "extraEnv", "resources");

  static Set<String> valueKeys() throws IOException {
    JsonNode values =
        DeployFiles.YAML.readTree(
            DeployFiles.ROOT.resolve("helm/whispyrkeep/values.yaml").toFile());
    Set<String> keys = new TreeSet<>();
    collect("", values, keys);
    return keys;
  }

  private static void collect(String prefix, JsonNode node, Set<String> keys) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
      JsonNode value = entry.getValue();
      if (value.isObject() && value.size() > 0 && !FREE_FORM.contains(entry.getKey())) {
        collect(key, value, keys);
      } else {
        keys.add(key);
      }
    }
  }

  @Test
  void readme_listsExactlyTheValuesOfValuesYaml() throws IOException {
    String readme = DeployFiles.read(DeployFiles.ROOT.resolve("helm/whispyrkeep/README.md"));
    Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\|").matcher(readme);
    Set<String> listed = new TreeSet<>();
    while (row.find()) {
      listed.add(row.group(1));
    }

    assertThat(listed).isEqualTo(valueKeys());
  }

  @Test
  void readme_everyValueDescribed() {
    String readme = DeployFiles.read(DeployFiles.ROOT.resolve("helm/whispyrkeep/README.md"));

    readme
        .lines()
        .filter(l -> l.startsWith("| `"))
        .forEach(l -> assertThat(l.split("\\|")).as(l).hasSizeGreaterThanOrEqualTo(4));
    readme
        .lines()
        .filter(l -> l.startsWith("| `"))
        .forEach(l -> assertThat(l.split("\\|")[3].trim()).as(l).isNotEmpty());
  }
}
