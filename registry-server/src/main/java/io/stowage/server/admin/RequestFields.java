package io.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed fields of an admin JSON body: a value of the wrong type is 400, never silently a default. */
final class RequestFields {
    private RequestFields() {
    }

    /** A string field, or null when absent, null or empty. */
    static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw SourceLocation.badRequest(field + " must be a string");
        }
        return value.asText().isEmpty() ? null : value.asText();
    }

    /** A boolean field, false when absent. */
    static boolean flag(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw SourceLocation.badRequest(field + " must be true or false");
        }
        return value.asBoolean();
    }
}
