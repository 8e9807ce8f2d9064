package dev.wharf.runtime.wire;

/** Body of {@code POST /node/v1/teams/{team}/volumes}. */
public record VolumeRequest(String name, long sizeBytes) {
}
