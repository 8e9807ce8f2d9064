package dev.wharf.platform.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one naming rule of users, teams, projects, containers and volumes: a DNS label. */
class NamesTests {

    @ParameterizedTest
    @ValueSource(strings = {"a", "0", "web", "web-1", "a1-b2-c3", "x23456789012345678901234567890123456789012345678901234567890123"})
    void dnsLabelsAreNames(String name) {
        assertThat(Names.isDnsLabel(name)).isTrue();
        assertThat(Names.requireDnsLabel("name", name)).isEqualTo(name);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "-web", "web-", "Web", "web_1", "web.1", "wéb", "web 1", "web\n",
            "x234567890123456789012345678901234567890123456789012345678901234"})
    void anythingElseIsRefusedNamingTheField(String name) {
        assertThat(Names.isDnsLabel(name)).isFalse();
        assertThatThrownBy(() -> Names.requireDnsLabel("project", name))
                .isInstanceOfSatisfying(WharfException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_ARGUMENT);
                    assertThat(e.properties().get("errors").toString()).contains("project");
                })
                .hasMessage("project " + Names.DNS_LABEL_RULE);
    }
}
