package dev.modpaxos.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The metrics endpoint and the web view's JSON over real HTTP on 127.0.0.1, without a browser:
 * a Prometheus scrape after set 1 lists the nodes' meters with their tags, and the page's state
 * shows set 1 and its round with who answered.
 */
class WatchEndpointsTest extends ClusterTestBase {
  private final HttpClient http = HttpClient.newHttpClient();

  private String get(String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return r.body();
  }

  private List<BankServer> servers() {
    return Servers.IDS.stream().map(id -> (BankServer) cluster.server(id)).toList();
  }

  private Session setOneRun() throws Exception {
    Session s = new Session(cluster, CsvSets.parse(BankMain.readInput(null), 0));
    return s;
  }

  @Test
  void aScrapeAfterSetOneListsEveryNodesMetersWithTags() throws Exception {
    try (MetricsEndpoint m = MetricsEndpoint.bind(0).add(servers())) {
      setOneRun().runNextSet();
      String text = get(m.url());
      assertThat(text)
          .contains("modpaxos_rounds_total{node=\"1\",outcome=\"won\",phase=\"prepare\","
              + "server=\"S1\"} 1.0")
          .contains("modpaxos_committed_slot{node=\"5\",server=\"S5\"} 1.0")
          .contains("modpaxos_messages_total{direction=\"received\",node=\"1\",server=\"S1\","
              + "type=\"PROMISE\"} 4.0")
          .contains("modpaxos_commit_latency_seconds_count{node=\"1\",server=\"S1\"}")
          .contains("modpaxos_node_up{node=\"3\",server=\"S3\"} 1.0");
      cluster.crash(3);
      assertThat(get(m.url())).contains("modpaxos_node_up{node=\"3\",server=\"S3\"} 0.0");
      cluster.recover(3);
      assertThat(get(m.url())).contains("modpaxos_node_up{node=\"3\",server=\"S3\"} 1.0");
    }
  }

  @Test
  void theStateShowsSetOneItsRoundAndRefusesOtherCommands() throws Exception {
    Session s = setOneRun();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Menu menu = new Menu(s, new PrintStream(out, true, StandardCharsets.UTF_8));
    try (WebView web = WebView.bind(0)) {
      web.attach(s, menu, "test");
      menu.nextIteration();
      String url = web.url();
      // The pollers publish within a few of their periods; a bounded poll for the condition.
      long deadline = System.nanoTime() + 30_000_000_000L;
      String state = get(url + "state");
      while (!(state.contains("\"commit\":[\"S") && state.contains("\"balance\":30"))
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
        state = get(url + "state");
      }
      assertThat(state)
          .contains("\"summary\":\"Set 1 done (live [S1, S2, S3, S4, S5]): 5 executed,"
              + " 0 pending, 0 rejected; 1 slot chosen\"")
          // A loaded machine may lose S1's first round: any ballot of S1's will do.
          .containsPattern("\"server\":\"S1\",\"state\":\"up\",\"promised\":\"\\(\\d+, S1\\)\","
              + "\"leader\":true,\"committedSlot\":1,\"localLog\":\\[\"\\(S1, S3, 75\\)\"\\]")
          .containsPattern("\"proposer\":\"S1\",\"ballot\":\"\\(\\d+, S1\\)\",\"slot\":1");
      assertThat(get(url)).contains("<script src=\"/app.js\">");
      assertThat(get(url + "app.js")).contains("new EventSource('/events')");
      HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(url + "command"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("line=exit")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(s.lastSetDone()).isEqualTo(1);
    }
  }
}
