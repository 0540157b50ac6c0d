#pragma once

#include "rollout/DecisionLedger.h"

#include <QCoreApplication>
#include <QString>

namespace sp {

// A decision ledger entry as readable rich text: who decided and why, the phase and how long it
// had held, and per guardrail its status, value, threshold, samples and window in words; the raw
// JSON follows for completeness.
class EvidenceFormatter
{
    Q_DECLARE_TR_FUNCTIONS(EvidenceFormatter)

public:
    static QString html(const LedgerEntry &entry);
    static QString kindWords(const QString &kind); // "advance" -> "Advanced"
};

} // namespace sp
