package io.prescient.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointSyncsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void theLargestSyncOfTheTaskPerCompletedCheckpointInTheSpan() {
    Map<String, JsonNode> api =
        Map.of(
            "/jobs/j",
            json(
                "{'vertices':[{'id':'v1','name':'Source: events'},"
                    + "{'id':'v2','name':'profile + triggers -> policy'}]}"),
            "/jobs/j/checkpoints",
            json(
                "{'history':[{'id':4,'status':'COMPLETED','trigger_timestamp':4000},"
                    + "{'id':3,'status':'FAILED','trigger_timestamp':3000},"
                    + "{'id':2,'status':'COMPLETED','trigger_timestamp':2000},"
                    + "{'id':1,'status':'COMPLETED','trigger_timestamp':1000}]}"),
            "/jobs/j/checkpoints/details/2/subtasks/v2",
            json("{'subtasks':[{'checkpoint':{'sync':120}},{'checkpoint':{'sync':364}}]}"),
            "/jobs/j/checkpoints/details/4/subtasks/v2",
            json("{'subtasks':[{'checkpoint':{'sync':7}},{'status':'pending'}]}"),
            "/jobs/j/checkpoints/details/1/subtasks/v2",
            json("{'subtasks':[{'checkpoint':{'sync':999}}]}"));
    List<Long> syncs = CheckpointSyncs.of(api::get, "j", "profile", 1500, 5000);
    assertThat(syncs).containsExactly(364L, 7L); // 1 is before the span, 3 failed
    assertThat(CheckpointSyncs.describe(syncs)).isEqualTo("2 checkpoints: 364, 7 ms");
    assertThat(CheckpointSyncs.of(api::get, "j", "no such task", 0, 5000)).isEmpty();
    assertThat(CheckpointSyncs.of(p -> null, "j", "profile", 0, 5000)).isEmpty();
    assertThat(CheckpointSyncs.describe(List.of())).startsWith("no completed checkpoint");
  }
}
