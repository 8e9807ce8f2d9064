package dev.wharf.platform.web;

import jakarta.persistence.AttributeConverter;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@code labels} column: the labels as a JSON object ({@code {"app":"shop"}}), sorted by key. A row written
 * before the entity had labels holds {@code {}}; null reads as none.
 */
public final class LabelsColumn implements AttributeConverter<Map<String, String>, String> {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };

    @Override
    public String convertToDatabaseColumn(Map<String, String> labels) {
        return JSON.writeValueAsString(labels == null ? Map.of() : new TreeMap<>(labels));
    }

    @Override
    public Map<String, String> convertToEntityAttribute(String json) {
        return json == null || json.isBlank() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(JSON.readValue(json, MAP)));
    }
}
