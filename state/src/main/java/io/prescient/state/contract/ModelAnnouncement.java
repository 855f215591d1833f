package io.prescient.state.contract;

import java.util.Objects;

/**
 * A record of the {@code models} topic: a new model artifact to load and swap in without a restart.
 * {@code uri} points at the artifact's manifest (anything Flink's FileSystem reads: {@code file://}
 * locally, {@code s3://} on a cluster) and {@code sha256} pins the manifest's bytes; the manifest
 * in turn pins the model file's hash. A shadow model scores and is reported on decisions, but never
 * decides.
 */
public class ModelAnnouncement {
  public String name;
  public String version;
  public String uri;
  public String sha256;
  public boolean shadow;

  public ModelAnnouncement() {}

  public ModelAnnouncement(String name, String version, String uri, String sha256, boolean shadow) {
    this.name = name;
    this.version = version;
    this.uri = uri;
    this.sha256 = sha256;
    this.shadow = shadow;
  }

  /** The slot the model serves in: its name, or name + ":shadow". */
  public String slot() {
    return shadow ? name + ":shadow" : name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelAnnouncement m
        && shadow == m.shadow
        && Objects.equals(name, m.name)
        && Objects.equals(version, m.version)
        && Objects.equals(uri, m.uri)
        && Objects.equals(sha256, m.sha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, version, uri, sha256, shadow);
  }

  @Override
  public String toString() {
    return "ModelAnnouncement{" + slot() + " " + version + " " + uri + "}";
  }
}
