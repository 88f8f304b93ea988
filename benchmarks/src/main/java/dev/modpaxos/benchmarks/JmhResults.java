package dev.modpaxos.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The results of one JMH run, read from its JSON output ({@code -rf json}). Immutable. */
final class JmhResults {

  /**
   * One benchmark result.
   *
   * @param type the simple class name, e.g. {@code FloorBenchmark}
   * @param method the benchmark method, e.g. {@code roundTrip}
   * @param params the {@code @Param} values
   * @param mode JMH's mode name: {@code thrpt}, {@code avgt}, {@code sample}, {@code ss}
   * @param percentiles by percentile ("50.0", "99.0", ...), for sample-time results
   * @param secondary by name, the per-iteration values of each secondary result (e.g. {@code
   *     @AuxCounters} fields), forks one after another
   */
  record Result(
      String type,
      String method,
      Map<String, String> params,
      String mode,
      double score,
      double error,
      String unit,
      Map<String, Double> percentiles,
      Map<String, double[]> secondary) {

    /** The mean per iteration of secondary result {@code name}, or NaN if there is none. */
    double secondaryMean(String name) {
      double[] v = secondary.get(name);
      if (v == null || v.length == 0) {
        return Double.NaN;
      }
      double sum = 0;
      for (double x : v) {
        sum += x;
      }
      return sum / v.length;
    }

    /** The given percentile ("50.0", "99.0"), or the score when there are no percentiles. */
    double percentile(String p) {
      return percentiles.getOrDefault(p, score);
    }

    String paramsText() {
      StringBuilder b = new StringBuilder();
      params.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
      return b.toString();
    }
  }

  private final List<Result> results;
  private final String jvm;

  private JmhResults(List<Result> results, String jvm) {
    this.results = List.copyOf(results);
    this.jvm = jvm;
  }

  static JmhResults read(Path json) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    List<Result> results = new ArrayList<>();
    String jvm = "";
    for (JsonNode n : root) {
      String name = n.path("benchmark").asText();
      String[] parts = name.split("\\.");
      Map<String, String> params = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.path("params").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        params.put(e.getKey(), e.getValue().asText());
      }
      JsonNode m = n.path("primaryMetric");
      Map<String, Double> pct = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = m.path("scorePercentiles").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        pct.put(e.getKey(), e.getValue().asDouble());
      }
      results.add(
          new Result(
              parts[parts.length - 2],
              parts[parts.length - 1],
              params,
              n.path("mode").asText(),
              m.path("score").asDouble(Double.NaN),
              m.path("scoreError").asDouble(Double.NaN),
              m.path("scoreUnit").asText(),
              pct,
              secondary(n.path("secondaryMetrics"))));
      jvm = n.path("vmName").asText() + " " + n.path("vmVersion").asText()
          + ", JVM flags: " + String.join(" ", textList(n.path("jvmArgs")));
    }
    return new JmhResults(results, jvm);
  }

  private static Map<String, double[]> secondary(JsonNode metrics) {
    Map<String, double[]> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = metrics.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      List<Double> values = new ArrayList<>();
      e.getValue().path("rawData").forEach(fork -> fork.forEach(v -> values.add(v.asDouble())));
      out.put(e.getKey(), values.stream().mapToDouble(Double::doubleValue).toArray());
    }
    return out;
  }

  private static List<String> textList(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(a -> out.add(a.asText()));
    return out;
  }

  List<Result> all() {
    return results;
  }

  /** The JVM and flags of the forked runs, as JMH recorded them. */
  String jvm() {
    return jvm;
  }

  /** Results of {@code type.method} whose params include every {@code key=value} given. */
  List<Result> find(String type, String method, String... keyValues) {
    List<Result> out = new ArrayList<>();
    for (Result r : results) {
      if (r.type().equals(type) && r.method().equals(method) && hasParams(r, keyValues)) {
        out.add(r);
      }
    }
    return out;
  }

  Optional<Result> one(String type, String method, String... keyValues) {
    List<Result> found = find(type, method, keyValues);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  private static boolean hasParams(Result r, String... keyValues) {
    for (String kv : keyValues) {
      int eq = kv.indexOf('=');
      if (!kv.substring(eq + 1).equals(r.params().get(kv.substring(0, eq)))) {
        return false;
      }
    }
    return true;
  }
}
