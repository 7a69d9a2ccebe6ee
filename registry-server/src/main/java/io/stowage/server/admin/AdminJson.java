package io.stowage.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.storage.error.ErrorCode;
import io.stowage.storage.error.RegistryException;
import io.stowage.server.http.Response;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** JSON bodies of the admin API: RFC 3339 UTC times with milliseconds, as API.md fixes them. */
final class AdminJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The largest JSON body an admin call takes. */
    static final long MAX_BODY = 16 * 1024;

    private AdminJson() {
    }

    /** An optional JSON object body: empty means defaults; anything but an object is 400. */
    static JsonNode optionalJson(byte[] body) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isNull()) {
                return MAPPER.createObjectNode();
            }
            if (!node.isObject()) {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "body must be a JSON object", null, 400);
            }
            return node;
        } catch (IOException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "body is not valid JSON", null, 400);
        }
    }


    static String time(Instant instant) {
        return instant == null ? null : TIME.format(instant);
    }

    static Response ok(Object body) {
        return respond(200, body);
    }

    static Response respond(int status, Object body) {
        try {
            return Response.status(status).bytes(MAPPER.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("admin response not serialisable", e);
        }
    }
}
