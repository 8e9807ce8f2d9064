package dev.wharf.runtime.wire;

import dev.wharf.runtime.api.RegistryCredentials;

/** Body of {@code POST /node/v1/teams/{team}/images/pull}: the reference and the login for its registry ({@code null}: anonymous). */
public record PullRequest(String reference, RegistryCredentials credentials) {
}
