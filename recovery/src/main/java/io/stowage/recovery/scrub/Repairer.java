package io.stowage.recovery.scrub;

import io.stowage.recovery.reimport.ContentSource;
import io.stowage.recovery.reimport.ImportReport;
import io.stowage.recovery.reimport.SourceException;
import io.stowage.recovery.reimport.VerifiedImporter;
import io.stowage.storage.blob.BlobStore;
import io.stowage.storage.error.RegistryException;
import io.stowage.storage.meta.MetadataStore;
import io.stowage.storage.oci.Digest;
import io.stowage.storage.oci.Reference;
import io.stowage.storage.registry.RegistryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The third part of a run with a {@link RepairSource}: brings back what the manifests lack by a
 * verified re-import of each incomplete manifest ({@link VerifiedImporter}, which stores blobs only
 * through the push path, hashed while they stream and published only on a match), and puts verified
 * bytes back into manifest rows that no longer match their digest. Afterwards each finding is
 * checked against the stores again: repaired is what is there now, not what the importer believed.
 * Every repair tried is a {@code scrub.repair} audit record. Used by one thread.
 */
final class Repairer {
    private static final Logger log = LoggerFactory.getLogger(Repairer.class);

    private final RegistryService registry;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final ScrubAudit audit;

    Repairer(RegistryService registry, MetadataStore metadata, BlobStore blobs, ScrubAudit audit) {
        this.registry = registry;
        this.metadata = metadata;
        this.blobs = blobs;
        this.audit = audit;
    }

    void repair(ScrubFindings run, RepairSource repairSource, ManifestPass.Damage damage) throws IOException {
        Map<String, String> failures = new HashMap<>();
        Set<String> repairedRows = new HashSet<>();
        String openProblem = null;
        try (ContentSource source = repairSource.opener().open()) {
            for (Map.Entry<String, Set<Digest>> repository : damage.incomplete().entrySet()) {
                VerifiedImporter importer = new VerifiedImporter(registry, metadata, blobs, source,
                        repairSource.sourceRepository(repository.getKey()), run.actor());
                for (Digest manifest : repository.getValue()) {
                    importer.importManifest(repository.getKey(), manifest, null);
                }
                for (ImportReport.Item failed : importer.report().failed()) {
                    failures.putIfAbsent(failed.digest(), failed.note());
                }
            }
            for (Map.Entry<String, Set<Digest>> repository : damage.corruptRows().entrySet()) {
                for (Digest manifest : repository.getValue()) {
                    String problem = repairRow(source, repairSource, repository.getKey(), manifest);
                    if (problem == null) {
                        repairedRows.add(repository.getKey() + "@" + manifest);
                    } else {
                        failures.put(manifest.toString(), problem);
                    }
                }
            }
        } catch (SourceException e) {
            openProblem = "cannot open " + repairSource.description() + ": " + e.getMessage();
            log.warn("scrub repair source unusable run={} problem={}", run.id(), openProblem);
        }
        settle(run, repairSource, failures, repairedRows, openProblem);
    }

    /** Null when the row holds verified bytes again, else why not. */
    private String repairRow(ContentSource source, RepairSource repairSource, String repository, Digest digest) {
        try {
            ContentSource.SourceManifest fetched = source.manifest(repairSource.sourceRepository(repository),
                    Reference.ofDigest(digest), registry.maxManifestBytes());
            return metadata.repairManifestContent(repository, digest, fetched.content()) ? null
                    : "the manifest row is gone";
        } catch (SourceException e) {
            return e.getMessage();
        } catch (RegistryException e) {
            return "digest mismatch: " + repairSource.description() + " sent other bytes (" + e.getMessage() + ")";
        }
    }

    /** Looks at the stores again for every finding, records and audits the result, marks affected tags. */
    private void settle(ScrubFindings run, RepairSource source, Map<String, String> failures, Set<String> repairedRows,
                        String openProblem) throws IOException {
        ScrubReport sofar = run.snapshot(null, null, null);
        Set<String> quarantined = new HashSet<>();
        sofar.quarantined().forEach(q -> quarantined.add(q.digest()));
        Set<String> referenced = new HashSet<>();
        for (ScrubReport.Affected affected : sofar.affected()) {
            referenced.addAll(affected.corrupt());
            referenced.addAll(affected.missing());
        }
        List<ScrubReport.Finding> findings = new ArrayList<>(sofar.corrupt());
        findings.addAll(sofar.missing());
        Set<String> repaired = new HashSet<>();
        for (ScrubReport.Finding finding : findings) {
            boolean back = isBack(finding, sofar.missing().contains(finding), quarantined, repairedRows);
            String note;
            if (back) {
                repaired.add(finding.digest());
                note = "re-imported from " + source.description();
                run.repaired(finding.digest(), finding.kind(), finding.repository(), note);
            } else {
                note = openProblem != null ? openProblem
                        : failures.containsKey(finding.digest()) ? failures.get(finding.digest())
                        : !referenced.contains(finding.digest())
                        ? "no manifest references it, so nothing says where it belongs; not fetched"
                        : "blob".equals(finding.kind()) && !quarantined.contains(finding.digest())
                        ? "not quarantined, so not replaced: " + finding.reason()
                        : "not brought back (see the other failures)";
                run.repairFailed(finding.digest(), finding.kind(), finding.repository(), note);
            }
            audit.repair(run, finding.repository(), finding.digest(), finding.kind(), back, note, source.description());
        }
        run.replaceAffected(sofar.affected().stream().map(a -> new ScrubReport.Affected(a.repository(), a.tag(),
                a.digest(), a.deleted(), a.corrupt(), a.missing(),
                repaired.containsAll(a.corrupt()) && repaired.containsAll(a.missing()))).toList());
    }

    /**
     * Whether the stores hold good content for the finding now: a missing or quarantined blob that is
     * stored again (only through the verified push path), a manifest row repaired with verified bytes,
     * a missing child manifest that has a row again. A corrupt blob still in place (not quarantined)
     * has not come back, whatever is stored.
     */
    private boolean isBack(ScrubReport.Finding finding, boolean missing, Set<String> quarantined,
                           Set<String> repairedRows) throws IOException {
        Digest digest = Digest.parse(finding.digest());
        if ("blob".equals(finding.kind())) {
            return (missing || quarantined.contains(finding.digest())) && blobs.size(digest).isPresent();
        }
        if (!missing) {
            return repairedRows.contains(finding.repository() + "@" + finding.digest());
        }
        return metadata.findManifestGraph(finding.repository(), digest).isPresent();
    }
}
