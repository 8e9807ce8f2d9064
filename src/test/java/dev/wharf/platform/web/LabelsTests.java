package dev.wharf.platform.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Labels' rules: what a request may give, what a list filter may ask and what it matches, and the column that keeps them. */
class LabelsTests {

    private static final Map<String, String> SHOP = Map.of("app", "shop", "tier", "web", "url", "http://x/?a=b", "empty", "");

    @Test
    void theLargestLabelsAreKeptAsGivenAndSortedByKey() {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < Labels.MAX_LABELS; i++) {
            labels.put(String.format("k%02d/%s", i, "x".repeat(124)), "\"\n\u0001é=".repeat(205).substring(0, 1024));
        }
        Map<String, String> checked = Labels.check("labels", labels);
        assertThat(checked).isEqualTo(labels);
        assertThat(List.copyOf(checked.keySet())).isSorted();
        assertThat(Labels.check("labels", null)).isEmpty();
    }

    @Test
    void tooManyABadKeyOrATooLongValueIsRefusedNamingTheField() {
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= Labels.MAX_LABELS; i++) {
            many.put("k" + i, "v");
        }
        refused(() -> Labels.check("labels", many), "labels", "at most 64 labels, got 65");
        for (String key : List.of("", "-a", "a-", "a b", "a=b", "é", "x".repeat(129))) {
            refused(() -> Labels.check("labels", Map.of(key, "v")), "labels", "label key \"" + key + "\" is not valid");
        }
        refused(() -> Labels.check("labels", Map.of("a", "x".repeat(1025))), "labels", "needs a string value of at most 1024");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("a", null);
        refused(() -> Labels.check("labels", nullValue), "labels", "needs a string value");
    }

    @Test
    void filtersMatchKeysAndExactValuesAllAtOnce() {
        assertThat(Labels.match(SHOP, List.of())).isTrue();
        assertThat(Labels.match(SHOP, List.of("app"))).isTrue();
        assertThat(Labels.match(SHOP, List.of("app=shop", "tier=web"))).isTrue();
        assertThat(Labels.match(SHOP, List.of("app=shop", "tier=db"))).isFalse();
        assertThat(Labels.match(SHOP, List.of("app=sho"))).isFalse();
        assertThat(Labels.match(SHOP, List.of("url=http://x/?a=b"))).isTrue();
        assertThat(Labels.match(SHOP, List.of("url=http://x/?a"))).isFalse();
        assertThat(Labels.match(SHOP, List.of("empty="))).isTrue();
        assertThat(Labels.match(SHOP, List.of("app="))).isFalse();
        assertThat(Labels.match(SHOP, List.of("missing"))).isFalse();
        assertThat(Labels.match(Map.of(), List.of("app"))).isFalse();
    }

    @Test
    void aFilterIsKeyOrKeyEqualsValue() {
        assertThat(Labels.filters("label", null)).isEmpty();
        assertThat(Labels.filters("label", new String[] {"app", "tier=web", "url=a=b", "note=a,b", "empty="}))
                .containsExactly("app", "tier=web", "url=a=b", "note=a,b", "empty=");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "=", "=x", "=app=x", "a b", "-app", "app-=x", "é=x"})
    void aFilterWithoutAValidKeyIsRefused(String filter) {
        refused(() -> Labels.filters("label", new String[] {"app", filter}), "label", "label filter \"" + filter + "\" is not key or key=value");
    }

    @Test
    void aFilterValueNoLabelCanHaveIsRefused() {
        refused(() -> Labels.filters("label", new String[] {"app=" + "x".repeat(1025)}), "label", "longer than 1024 characters");
    }

    @Test
    void theColumnKeepsLabelsAsJsonAndReadsOldRowsAsNone() {
        LabelsColumn column = new LabelsColumn();
        Map<String, String> labels = Map.of("b", "\"quoted\"\n", "a", "x=y");
        String json = column.convertToDatabaseColumn(labels);
        assertThat(json).isEqualTo("{\"a\":\"x=y\",\"b\":\"\\\"quoted\\\"\\n\"}");
        assertThat(column.convertToEntityAttribute(json)).isEqualTo(labels);
        assertThat(column.convertToEntityAttribute("{}")).isEmpty();
        assertThat(column.convertToEntityAttribute(null)).isEmpty();
        assertThat(column.convertToDatabaseColumn(null)).isEqualTo("{}");
    }

    private static void refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(WharfException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID_ARGUMENT);
            assertThat(e.properties().get("errors").toString()).contains("field=" + field);
        }).hasMessageContaining(message);
    }
}
