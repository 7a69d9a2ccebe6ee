package io.stowage.audit.tsa;

import org.bouncycastle.asn1.cmp.PKIFailureInfo;
import org.bouncycastle.asn1.cmp.PKIStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * Names for the numeric PKIStatus and PKIFailureInfo bits of RFC 3161 section 2.4.2, so that an
 * operator reading "TSA rejected the request: rejection (badAlg)" knows what to fix without
 * decoding ASN.1 by hand.
 */
final class PkiStatusText {
    private static final int[] FAILURE_BITS = {
        PKIFailureInfo.badAlg, PKIFailureInfo.badRequest, PKIFailureInfo.badDataFormat,
        PKIFailureInfo.timeNotAvailable, PKIFailureInfo.unacceptedPolicy,
        PKIFailureInfo.unacceptedExtension, PKIFailureInfo.addInfoNotAvailable,
        PKIFailureInfo.systemFailure,
    };
    private static final String[] FAILURE_NAMES = {
        "badAlg", "badRequest", "badDataFormat", "timeNotAvailable", "unacceptedPolicy",
        "unacceptedExtension", "addInfoNotAvailable", "systemFailure",
    };

    private PkiStatusText() {
    }

    static String status(int status) {
        switch (status) {
            case PKIStatus.GRANTED: return "granted";
            case PKIStatus.GRANTED_WITH_MODS: return "grantedWithMods";
            case PKIStatus.REJECTION: return "rejection";
            case PKIStatus.WAITING: return "waiting";
            case PKIStatus.REVOCATION_WARNING: return "revocationWarning";
            case PKIStatus.REVOCATION_NOTIFICATION: return "revocationNotification";
            default: return "status " + status;
        }
    }

    /** The failure bits the TSA set, by name; "no failure info" when it set none. */
    static String failure(PKIFailureInfo info) {
        if (info == null) {
            return "no failure info";
        }
        int bits = info.intValue();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < FAILURE_BITS.length; i++) {
            if ((bits & FAILURE_BITS[i]) != 0) {
                names.add(FAILURE_NAMES[i]);
                bits &= ~FAILURE_BITS[i];
            }
        }
        if (bits != 0) {
            names.add("bits 0x" + Integer.toHexString(bits));
        }
        return names.isEmpty() ? "no failure info" : String.join(", ", names);
    }
}
