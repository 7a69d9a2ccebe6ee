package io.stowage.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.server.http.Response;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** JSON bodies of the admin API: RFC 3339 UTC times with milliseconds, as API.md fixes them. */
final class AdminJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private AdminJson() {
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
