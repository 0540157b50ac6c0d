#pragma once

#include <QCoreApplication>
#include <QDateTime>
#include <QIODevice>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace sp {

class Workspace;

// Who made a change, from where, and why. Attached to every write and to its audit entry.
struct ChangeContext
{
    QString actor;   // OS user
    QString account; // signed-in account, if any
    QString source;  // gui, cli, agent, controller
    QString reason;
    QJsonObject evidence; // structured "why" for decision-ledger entries (metric values, thresholds)

    // The OS user of this process, for the given source.
    static ChangeContext local(const QString &source, const QString &reason = {});
};

struct AuditEntry
{
    qint64 seq = 0;
    QDateTime at;
    QString actor;
    QString account;
    QString action;  // flag.create, flag.update, killswitch.on, …
    QString object;  // flag:checkout.sync, segment:beta, workspace
    QString before;  // canonical JSON text ("null" when there was nothing)
    QString after;
    QString reason;
    QString source;
    QString prevHash;
    QString hash;

    QJsonObject toJson() const;
    // The exact bytes hashed for this entry (after the previous hash).
    QByteArray canonical() const;
};

struct AuditFilter
{
    std::optional<QDateTime> from;   // inclusive
    std::optional<QDateTime> to;     // exclusive
    QString actor;                   // exact
    QString object;                  // exact, or prefix when it ends with '*'
    QString action;                  // exact, or prefix when it ends with '*'
    int limit = 0;                   // 0: all
    // For views that page through the log (the GUI's audit table):
    QString reasonContains;          // case-insensitive (ASCII) substring of the reason
    qint64 afterSeq = 0;             // only entries with seq > afterSeq
    qint64 beforeSeq = 0;            // only entries with seq < beforeSeq (0: no bound)
    bool newestFirst = false;        // order by seq descending; with limit: the newest N, newest first
};

struct AuditVerification
{
    bool ok = true;
    qint64 entries = 0;
    qint64 firstBadSeq = 0;   // 0 when ok
    QString problem;          // in words
    QString headHash;         // the chain head the check ended on
};

// The append-only, hash-chained audit log (SHA-256 over the previous hash and the canonical
// entry). Appends happen inside the caller's write transaction, so a change and its entry commit
// together or not at all.
class AuditLog
{
    Q_DECLARE_TR_FUNCTIONS(AuditLog)

public:
    explicit AuditLog(Workspace &workspace) : m_ws(workspace) {}

    struct Change
    {
        QString action;
        QString object;
        QJsonValue before;
        QJsonValue after;
    };

    // Must be called inside Workspace::write().
    AuditEntry append(const ChangeContext &ctx, const QString &action, const QString &object,
                      const QJsonValue &before, const QJsonValue &after);
    // Many entries with one head read, one prepared insert and one head write (a rollback of
    // hundreds of flags). Returns the last entry.
    AuditEntry appendMany(const ChangeContext &ctx, const QList<Change> &changes);

    QList<AuditEntry> list(const AuditFilter &filter = {}) const;
    // Streams matching entries in order without loading them all.
    void forEach(const AuditFilter &filter, const std::function<void(const AuditEntry &)> &fn) const;
    AuditVerification verify() const;
    // How many entries match filter (limit, afterSeq/beforeSeq and order included).
    qint64 count(const AuditFilter &filter) const;

    // RFC 4180 CSV / JSON Lines, each stamped with the chain head they were verified against.
    // Return the number of entries written; throw sp::Error if the chain does not verify.
    qint64 exportCsv(QIODevice &out, const AuditFilter &filter) const;
    qint64 exportJsonl(QIODevice &out, const AuditFilter &filter) const;

    static QByteArray hashOf(const QString &prevHash, const AuditEntry &entry);

private:
    Workspace &m_ws;
};

} // namespace sp
