package io.stowage.server.admin;

import io.stowage.recovery.reimport.ImportReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The item lists of an import or re-import report as JSON fields, the same in both answers. */
final class ImportJson {
    private ImportJson() {
    }

    static Map<String, Object> content(ImportReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("imported", items(report.imported(), false));
        body.put("alreadyPresent", items(report.alreadyPresent(), false));
        body.put("linked", items(report.linked(), false));
        body.put("failed", items(report.failed(), true));
        body.put("bytes", report.bytes());
        return body;
    }

    private static List<Map<String, Object>> items(List<ImportReport.Item> items, boolean failed) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ImportReport.Item item : items) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("digest", item.digest());
            entry.put("kind", item.kind());
            if (failed) {
                entry.put("reason", item.note());
            } else {
                entry.put("size", item.size());
                if (item.note() != null) {
                    entry.put("state", item.note());
                }
            }
            list.add(entry);
        }
        return list;
    }
}
